import type { Logger } from '@nestjs/common';

/**
 * Whether presence's store calls are failing (Redis down): one log line per streak of failures,
 * not one a second, and the renewal owed after any failure.
 */
export class PresenceHealth {
  private failing = false;
  /** A call failed: renew before the next sweep, or this instance's lapsed claims are swept. */
  renewPending = false;

  constructor(private readonly logger: Logger) {}

  failed(what: string, error: unknown): void {
    if (!this.failing) this.logger.warn(`presence ${what} failed, will retry: ${String(error)}`);
    this.failing = true;
    this.renewPending = true;
  }

  recovered(): void {
    if (this.failing) this.logger.log('presence store reachable again');
    this.failing = false;
  }
}
