/**
 * A minimal async iterator fed by push(), for live event streams (`messageAdded` without a
 * conversation, `presenceChanged`): one array push or one promise resolution per value, far
 * lighter than a Repeater on the hottest stream (bench/README.md, "Profiling notes behind the code").
 *
 * A consumer that falls more than `maxBuffered` values behind is ended with an error instead of
 * growing the server's memory (a messages client resumes from PostgreSQL with afterSeq).
 * `push` never throws, so a slow consumer cannot break the producer's loop over its listeners.
 */
export class PushStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting?: (result: IteratorResult<T>) => void;
  private failure?: Error;
  private closed = false;

  /** `onClose` runs once, when the consumer returns, throws or the stream fails. */
  constructor(
    private readonly onClose: () => void,
    private readonly maxBuffered = 1024,
  ) {}

  push(value: T): void {
    if (this.closed) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value, done: false });
    } else if (this.buffer.length < this.maxBuffered) {
      this.buffer.push(value);
    } else {
      this.failure = new Error(`Subscriber more than ${this.maxBuffered} events behind`);
      this.close();
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0)
      return Promise.resolve({ value: this.buffer.shift()!, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.return();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    // Overflow happens only with nobody waiting, so a waiter here just ends.
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.({ value: undefined, done: true });
    this.onClose();
  }
}
