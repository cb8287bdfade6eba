/**
 * Closes sockets when their access token expires, with one timer per expiry second rather than
 * one per socket. A JWT's `exp` is whole seconds, so sockets whose tokens expire in the same
 * second close at the same moment, exactly when each would have alone; a timer, its closure and
 * its context per socket were a share of an idle connection's memory (bench/README.md, round two).
 */
import type { WebSocket } from 'ws';

/** setTimeout cannot wait longer than 2^31-1 ms; long-lived tokens re-arm. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface Bucket {
  sockets: Set<WebSocket>;
  timer?: NodeJS.Timeout;
}

export class ExpiryTimers {
  /** Expiry (seconds since the epoch) → the sockets whose token expires then. */
  private readonly buckets = new Map<number, Bucket>();

  constructor(private readonly onExpired: (socket: WebSocket) => void) {}

  /** Calls onExpired(socket) at `expiresAt` (seconds), at once if it has passed. */
  add(socket: WebSocket, expiresAt: number): void {
    if (expiresAt * 1000 <= Date.now()) return this.onExpired(socket);
    let bucket = this.buckets.get(expiresAt);
    if (!bucket) {
      this.buckets.set(expiresAt, (bucket = { sockets: new Set() }));
      this.arm(expiresAt, bucket);
    }
    bucket.sockets.add(socket);
  }

  /** Forgets a socket (closed before its token expired). */
  delete(socket: WebSocket, expiresAt: number): void {
    const bucket = this.buckets.get(expiresAt);
    if (!bucket?.sockets.delete(socket) || bucket.sockets.size > 0) return;
    clearTimeout(bucket.timer);
    this.buckets.delete(expiresAt);
  }

  private arm(expiresAt: number, bucket: Bucket): void {
    const ms = expiresAt * 1000 - Date.now();
    if (ms > 0) {
      bucket.timer = setTimeout(() => this.arm(expiresAt, bucket), Math.min(ms, MAX_TIMEOUT_MS));
      bucket.timer.unref();
      return;
    }
    this.buckets.delete(expiresAt);
    for (const socket of bucket.sockets) this.onExpired(socket);
  }
}
