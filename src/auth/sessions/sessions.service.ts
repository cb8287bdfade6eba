/**
 * Sessions: one per login, each with a rotating refresh token. A refresh spends the token it is
 * given and answers the next; presenting a spent one again means two parties hold the session
 * (a stolen token), so the whole session ends. Ending sessions is written to the database first,
 * then announced to every instance (SessionRevocations), whose checks then refuse their tokens.
 */
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { NotFoundError, UnauthenticatedError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app.config.js';
import { RefreshTokens } from './refresh-tokens.js';
import type { Session } from './session.entity.js';
import { SessionRevocations } from './session-revocations.js';
import { SessionsRepository } from './sessions.repository.js';

export interface StartedSession {
  userId: string;
  sessionId: string;
  refreshToken: string;
}

/** Which of a user's sessions to end. */
export type SessionSelection = { only: string } | { allBut?: string };

const USER_AGENT_MAX = 512;

@Injectable()
export class SessionsService {
  private readonly logger = new Logger('Sessions');
  private readonly refreshTokens: RefreshTokens;
  private readonly ttlMs: number;

  constructor(
    config: AppConfig,
    private readonly sessions: SessionsRepository,
    private readonly revocations: SessionRevocations,
  ) {
    this.refreshTokens = new RefreshTokens(config.jwt.secret);
    this.ttlMs = config.sessions.refreshTtlSeconds * 1000;
  }

  async start(userId: string, userAgent: string | undefined): Promise<StartedSession> {
    const sessionId = randomUUID();
    const { token, hash } = this.refreshTokens.mint(sessionId, 1);
    await this.sessions.insert({
      id: sessionId,
      userId,
      refreshTokenHash: hash,
      userAgent: userAgent?.slice(0, USER_AGENT_MAX) || null,
      expiresAt: this.nextExpiry(),
    });
    return { userId, sessionId, refreshToken: token };
  }

  /** Spends `refreshToken` and answers its successor; anything else is UNAUTHENTICATED. */
  async refresh(refreshToken: string): Promise<StartedSession> {
    const refused = new UnauthenticatedError('Invalid, expired or spent refresh token');
    // Not one of ours (garbage, altered, another deployment's): nothing to look up or change.
    const parsed = this.refreshTokens.parse(refreshToken);
    if (!parsed) throw refused;
    const session = await this.sessions.findById(parsed.sessionId);
    if (!session || !isLive(session)) throw refused;
    if (parsed.generation < session.generation) {
      await this.endReused(session.id);
      throw refused;
    }
    if (parsed.generation !== session.generation || parsed.hash !== session.refreshTokenHash) {
      throw refused;
    }
    const next = this.refreshTokens.mint(session.id, session.generation + 1);
    const rotated = await this.sessions.rotate(
      session.id,
      session.generation,
      next.hash,
      this.nextExpiry(),
    );
    // Another request spent this very token a moment ago: a reuse like any other.
    if (!rotated) {
      await this.endReused(session.id);
      throw refused;
    }
    return { userId: session.userId, sessionId: session.id, refreshToken: next.token };
  }

  /** The user's live sessions, newest first. */
  list(userId: string): Promise<Session[]> {
    return this.sessions.findLiveByUser(userId);
  }

  /** Ends the selected live sessions of the user; NOT_FOUND when `only` names none of them. */
  async end(userId: string, which: SessionSelection): Promise<void> {
    const ended = await this.sessions.revoke(userId, which);
    if ('only' in which && ended.length === 0) throw new NotFoundError('Session');
    await this.revocations.announce(ended);
  }

  private async endReused(sessionId: string): Promise<void> {
    if (await this.sessions.revokeById(sessionId)) {
      this.logger.warn({ sessionId }, 'a spent refresh token was used again: session ended');
      await this.revocations.announce([sessionId]);
    }
  }

  private nextExpiry(): Date {
    return new Date(Date.now() + this.ttlMs);
  }
}

function isLive(session: Session): boolean {
  return session.revokedAt === null && session.expiresAt.getTime() > Date.now();
}
