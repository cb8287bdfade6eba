/**
 * A stream of numbered values (1, 2, 3… per source, numbers of superseded values may be absent)
 * delivered strictly in increasing order with nothing missed or repeated: first the stored values
 * after a given number, then the live ones. Live values are buffered while the replay runs and
 * deduplicated by number at the switch; a live value that arrives ahead of missing numbers
 * (publishes from two instances can overtake each other, and Redis may drop one) is preceded by
 * the stored values between, read from the store. A value may also end the stream after itself
 * (`isLast`).
 */
import { Repeater } from '@repeaterjs/repeater';

export interface OrderedSource<T> {
  /** Starts hearing live values; answers the function that stops it. */
  listen(handler: (value: T) => void): Promise<() => void>;
  /** The number of the newest stored value now (access is checked here: throw to refuse). */
  position(): Promise<number>;
  /** Stored values with after < number < before, in order, at most `batch` of them. */
  replay(after: number, before: number | undefined): Promise<T[]>;
  batch: number;
  numberOf(value: T): number;
  /** True for a value after which nothing more is delivered. */
  isLast?(value: T): boolean;
}

/** Wraps a function so that only its first call does anything. */
function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

/**
 * Opens the stream: after `after` when given (replayed first), else after the newest stored
 * value. A reader more than `maxBehind` live values behind is let go with an error (it resumes
 * from the store).
 */
export async function openOrdered<T>(
  source: OrderedSource<T>,
  after: number | undefined,
  maxBehind = 1024,
): Promise<AsyncIterableIterator<T>> {
  // Listen before reading the store, so nothing committed meanwhile falls between.
  const early: T[] = [];
  let onLive: ((value: T) => void) | undefined;
  const unlisten = once(
    await source.listen((value) => {
      if (onLive) onLive(value);
      else early.push(value);
    }),
  );
  let newest: number;
  try {
    newest = await source.position();
  } catch (error) {
    unlisten();
    throw error;
  }

  const stream = new Repeater<T>(async (push, stop) => {
    let lastSent = after ?? newest;
    let ended = false;
    // Serialises deliveries: a gap fill must finish before the next live value is looked at.
    let queue = Promise.resolve();
    let queued = 0;

    const send = async (value: T) => {
      if (ended) return;
      await push(value);
      lastSent = source.numberOf(value);
      if (source.isLast?.(value)) {
        ended = true;
        stop();
      }
    };
    /** Pushes the stored values after lastSent (and before `before`), a batch at a time. */
    const catchUp = async (before?: number) => {
      for (;;) {
        const batch = await source.replay(lastSent, before);
        for (const value of batch) await send(value);
        if (batch.length < source.batch || ended) return;
      }
    };
    const deliver = async (value: T) => {
      const number = source.numberOf(value);
      if (number <= lastSent || ended) return;
      if (number > lastSent + 1) await catchUp(number);
      await send(value);
    };
    const enqueue = (value: T) => {
      if (++queued > maxBehind)
        return stop(new Error(`Subscriber more than ${maxBehind} events behind`));
      queue = queue
        .then(() => deliver(value))
        .then(() => void queued--)
        .catch(stop);
    };

    try {
      if (lastSent < newest) await catchUp();
      onLive = enqueue;
      const sorted = early.splice(0).sort((a, b) => source.numberOf(a) - source.numberOf(b));
      for (const value of sorted) enqueue(value);
      await queue;
    } catch (error) {
      stop(error);
    }
    await stop;
    unlisten();
  });
  // A subscription ended before its first value never runs the executor: let go here too.
  const finish = stream.return.bind(stream);
  stream.return = (value?: PromiseLike<undefined> | undefined) => {
    unlisten();
    return finish(value);
  };
  return stream;
}
