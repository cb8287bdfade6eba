/**
 * Replay reads shared by subscribers resuming at once (a reconnect storm: every member of a group
 * asks for the same conversation after the same number). One rule makes sharing safe: a
 * subscriber may join only a read that started after it was listening, so whatever was committed
 * before it listened is either in that read or reaches it live — never neither.
 */
export class SharedReads<T> {
  /** Counts listen confirmations and read starts, to order them. */
  private epoch = 0;
  /** Reads under way by key, with the epoch at their start. */
  private readonly reads = new Map<string, { startedAt: number; result: Promise<T> }>();

  /** Call once the subscriber is listening; pass the answer to `read`. */
  listening(): number {
    return ++this.epoch;
  }

  /** `read()`'s result, or that of a read of the same key started after `listening`. */
  read(key: string, listening: number, read: () => Promise<T>): Promise<T> {
    const under = this.reads.get(key);
    if (under && under.startedAt > listening) return under.result;
    const shared = { startedAt: ++this.epoch, result: read() };
    this.reads.set(key, shared);
    const forget = () => {
      if (this.reads.get(key) === shared) this.reads.delete(key);
    };
    shared.result.then(forget, forget);
    return shared.result;
  }
}
