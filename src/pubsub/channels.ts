/**
 * Names of the pub/sub channels, built in one place. Every name carries REDIS_PREFIX so several
 * deployments (or test runs) can share one Redis without hearing each other.
 */
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app.config.js';

@Injectable()
export class Channels {
  private readonly prefix: string;

  constructor(config: AppConfig) {
    this.prefix = config.redis.prefix;
  }

  /** Everything addressed to one user's connections (new messages, membership changes). */
  user(userId: string): string {
    return `${this.prefix}user:${userId}`;
  }

  /** Status changes of one user, heard by the instances where someone watches that user. */
  presence(userId: string): string {
    return `${this.prefix}presence:${userId}`;
  }

  /** Ended sessions, heard by every instance (their access tokens and sockets stop at once). */
  sessionRevocations(): string {
    return `${this.prefix}sessions:revoked`;
  }

  /** A Redis key (not a channel) under the same prefix. */
  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }
}
