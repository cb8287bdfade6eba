import type { Logger } from '@nestjs/common';

/**
 * Whether presence's store calls are failing (Redis down): one log line per streak of failures,
 * not one a second, and the renewal owed after any failure.
 */
export class PresenceHealth {
  private failing = false;
  private owed = false;

  constructor(private readonly logger: Logger) {}

  /** A call failed: renew before the next sweep, or this instance's lapsed claims are swept. */
  get renewPending(): boolean {
    return this.owed;
  }

  failed(what: string, error: unknown): void {
    if (!this.failing) this.logger.warn(`presence ${what} failed, will retry: ${String(error)}`);
    this.failing = true;
    this.owed = true;
  }

  /** Every claim of this instance was renewed: nothing owed. */
  renewed(): void {
    this.owed = false;
    this.recovered();
  }

  recovered(): void {
    if (this.failing) this.logger.log('presence store reachable again');
    this.failing = false;
  }
}
