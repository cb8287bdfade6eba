/**
 * The session of one WebSocket: the access token checked at connection_init, the socket closed
 * with 4401 when that token expires and with 4403 the moment its session ends (logout, revoked,
 * a spent refresh token reused: nothing is sent on it after), and the connection entered in (and removed from) the
 * registry that presence listens to. A bad or missing token is 4403 (the protocol server closes
 * when onConnect answers false); a failure to *check* one (a database or identity provider down) is
 * no verdict on the client and must not look like one: it is logged and the socket closes with
 * 1013, which clients retry.
 */
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { SessionRevocations } from '../auth/sessions/session-revocations.js';
import { TokenService } from '../auth/token.service.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { UnauthenticatedError } from '../common/errors/domain-error.js';
import { UserExistence } from '../users/user-existence.service.js';
import {
  CLOSE_SESSION_ENDED,
  CLOSE_TOKEN_EXPIRED,
  CLOSE_TOO_MANY_CONNECTIONS,
  CLOSE_TRY_AGAIN_LATER,
} from './close-codes.js';
import { WsCaps } from './ws.caps.js';
import { ExpiryTimers } from './ws.expiry.js';
import type { ProtocolClient } from './ws.protocol.js';
import { WsConnections } from './ws-connections.js';

/** Everything kept for one socket: its protocol state and its session. */
export interface WsClient extends ProtocolClient {
  connectionId: string;
  /** The client's address, counted against its cap until the socket closes. */
  address: string;
  /** Set once connection_init was accepted. */
  user?: AuthUser;
  /** Stops watching the session for its end (set with user, when the token names a session). */
  stopWatching?: () => void;
}

@Injectable()
export class WsSession {
  private readonly logger = new Logger('WebSocket');
  private readonly expiries = new ExpiryTimers((socket) =>
    socket.close(CLOSE_TOKEN_EXPIRED, 'Token expired'),
  );

  constructor(
    private readonly tokens: TokenService,
    private readonly connections: WsConnections,
    private readonly existence: UserExistence,
    private readonly revocations: SessionRevocations,
    private readonly caps: WsCaps,
  ) {}

  /**
   * A new socket's state. Undefined when the socket's address already holds its maximum: the
   * socket is closed with 4029.
   */
  begin(socket: WebSocket, req: IncomingMessage): WsClient | undefined {
    const address = this.caps.addressOf(req);
    if (!this.caps.admitAddress(address)) {
      socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'Too many connections from this address');
      return undefined;
    }
    return {
      socket,
      phase: 'awaiting-init',
      operations: new Map(),
      connectionId: randomUUID(),
      address,
    };
  }

  /** All of a closed socket's cleanup: the registry forgets the connection. */
  end(client: WsClient): void {
    this.caps.releaseAddress(client.address);
    const { user } = client;
    if (!user) return;
    this.expiries.delete(client.socket, user.expiresAt);
    client.stopWatching?.();
    void this.connections.closed(client.connectionId);
  }

  /** connection_init: true admits the socket, false closes it with 4403. */
  async onConnect(client: WsClient, params: Record<string, unknown> | undefined): Promise<boolean> {
    const { socket } = client;
    let user: AuthUser;
    try {
      user = await this.tokens.verifyBearer(params?.authorization, { remember: false });
      await this.existence.assertExists(user.id);
    } catch (error) {
      if (error instanceof UnauthenticatedError) return false;
      this.logger.error({ err: error }, 'could not check a WebSocket token; asking to retry');
      socket.close(CLOSE_TRY_AGAIN_LATER, 'Try again later');
      // The protocol's own 4403 close that follows is ignored: the socket is already closing.
      return false;
    }
    // The socket may have closed while the token was checked; registering it now would leave a
    // connection nobody closes (and its user forever online).
    if (socket.readyState !== socket.OPEN) return false;
    if (!this.caps.userHasRoom(user.id)) {
      socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'Too many connections for this user');
      return false;
    }
    client.user = user;
    this.expiries.add(socket, user.expiresAt);
    this.closeWhenRevoked(client, user);
    await this.connections.opened({ id: client.connectionId, userId: user.id });
    return true;
  }

  /** Closing makes ws drop whatever is sent afterwards: nothing reaches an ended session. */
  private closeWhenRevoked(client: WsClient, user: AuthUser): void {
    if (!user.sessionId) return;
    const { socket } = client;
    if (this.revocations.isRevoked(user.sessionId)) {
      socket.close(CLOSE_SESSION_ENDED, 'Session ended');
      return;
    }
    client.stopWatching = this.revocations.watch(user.sessionId, () =>
      socket.close(CLOSE_SESSION_ENDED, 'Session ended'),
    );
  }
}
