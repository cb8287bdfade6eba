/**
 * Caps on open sockets, so one account or one address cannot hold memory without bound (~0.65 MB
 * per socket with its subscriptions): WS_MAX_CONNECTIONS_PER_ADDRESS counted from the upgrade
 * (signed in or not), WS_MAX_CONNECTIONS_PER_USER once the token is known. Counted per instance:
 * the memory they protect is the instance's, the count needs no Redis round trip per connect, and
 * a crashed instance leaves no count behind. The newest socket is refused (4029); open ones stay.
 */
import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import { AppConfig } from '../config/app.config.js';
import { WsConnections } from './ws-connections.js';

@Injectable()
export class WsCaps {
  private readonly perAddress = new Map<string, number>();
  /** Express's rule for HTTP (TRUSTED_PROXIES), applied to upgrades. */
  private readonly trust: ReturnType<typeof proxyAddr.compile>;

  constructor(
    private readonly config: AppConfig,
    private readonly connections: WsConnections,
  ) {
    this.trust = proxyAddr.compile(config.http.trustedProxies);
  }

  /** The client's address, believing X-Forwarded-For only from trusted proxies. */
  addressOf(req: IncomingMessage): string {
    return proxyAddr(req as Parameters<typeof proxyAddr>[0], this.trust);
  }

  /**
   * Counts a new socket of `address`; false (and nothing counted) when the address already holds
   * its maximum. A socket counted is released with releaseAddress when it closes.
   */
  admitAddress(address: string): boolean {
    const max = this.config.ws.maxConnectionsPerAddress;
    const open = this.perAddress.get(address) ?? 0;
    if (max !== null && open >= max) return false;
    this.perAddress.set(address, open + 1);
    return true;
  }

  releaseAddress(address: string): void {
    const left = (this.perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(address, left);
    else this.perAddress.delete(address);
  }

  /** Whether `userId` may open one more authenticated connection here. */
  userHasRoom(userId: string): boolean {
    const max = this.config.ws.maxConnectionsPerUser;
    return max === null || this.connections.countOf(userId) < max;
  }
}
