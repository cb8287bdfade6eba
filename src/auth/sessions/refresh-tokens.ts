/**
 * Refresh tokens: `<sessionId>.<generation>.<256 random bits>.<mac>`, base64url parts. Only the
 * sha256 of the current token is stored. The MAC (HMAC-SHA256 under a key derived from
 * JWT_SECRET) proves the server minted a token for that session and generation without keeping
 * the spent ones: a well-formed token of an older generation is a spent one, whose reuse ends the
 * session, while a guessed or altered token (say, someone who read a session id) changes nothing.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { isUuid } from '../../common/uuid.js';

export interface MintedRefreshToken {
  token: string;
  /** What the database keeps. */
  hash: string;
}

export interface ParsedRefreshToken {
  sessionId: string;
  generation: number;
  hash: string;
}

const MAX_LENGTH = 200;

export class RefreshTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, '', 'chat refresh tokens v1', 32));
  }

  mint(sessionId: string, generation: number): MintedRefreshToken {
    const body = `${sessionId}.${generation}.${randomBytes(32).toString('base64url')}`;
    const token = `${body}.${this.mac(body).toString('base64url')}`;
    return { token, hash: hashRefreshToken(token) };
  }

  /** The session and generation a token was minted for; null for anything we did not mint. */
  parse(token: unknown): ParsedRefreshToken | null {
    if (typeof token !== 'string' || token.length > MAX_LENGTH) return null;
    const parts = token.split('.');
    if (parts.length !== 4) return null;
    const [sessionId, generationText, random, mac] = parts;
    if (!isUuid(sessionId) || !/^[1-9]\d{0,9}$/.test(generationText) || random.length !== 43) {
      return null;
    }
    const expected = this.mac(`${sessionId}.${generationText}.${random}`);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { sessionId, generation: Number(generationText), hash: hashRefreshToken(token) };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
