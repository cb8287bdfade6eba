/**
 * Timers and work in progress of a service that runs in the background (renewals, sweeps), so
 * that shutdown can stop the timers first and then wait for what is under way. unref'd: a timer
 * alone never keeps the process alive.
 */
export class BackgroundTasks {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;

  get stopping(): boolean {
    return this.stopped;
  }

  /** Runs `run` every `ms` until stop(). */
  every(ms: number, run: () => Promise<void>): void {
    const timer = setInterval(() => {
      if (!this.stopped) void this.track(run());
    }, ms).unref();
    this.timers.add(timer);
  }

  /** Runs `run` once, `ms` from now, unless stopped first. */
  after(ms: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) void this.track(run());
    }, ms).unref();
    this.timers.add(timer);
  }

  /** Remembers work in progress until it settles. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  /** Clears every timer; nothing new starts after this. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Resolves once the work in progress has settled (whether it succeeded or not). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.inFlight);
  }
}
