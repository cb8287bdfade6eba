import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashRefreshToken, RefreshTokens } from './refresh-tokens.js';

const tokens = new RefreshTokens('a-test-secret-of-enough-length');

describe('RefreshTokens', () => {
  it('parses what it minted back to its session, generation and stored hash', () => {
    const sessionId = randomUUID();
    const minted = tokens.mint(sessionId, 7);
    expect(minted.hash).toBe(hashRefreshToken(minted.token));
    expect(minted.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens.parse(minted.token)).toEqual({ sessionId, generation: 7, hash: minted.hash });
  });

  it('mints a different token every time, even for the same generation', () => {
    const sessionId = randomUUID();
    expect(tokens.mint(sessionId, 1).token).not.toBe(tokens.mint(sessionId, 1).token);
  });

  it('refuses a token with any part changed, or minted under another secret', () => {
    const { token } = tokens.mint(randomUUID(), 3);
    const [sid, , random, mac] = token.split('.');
    expect(tokens.parse(`${sid}.2.${random}.${mac}`)).toBeNull();
    expect(tokens.parse(`${randomUUID()}.3.${random}.${mac}`)).toBeNull();
    const flipped = random.slice(0, -1) + (random.endsWith('A') ? 'B' : 'A');
    expect(tokens.parse(`${sid}.3.${flipped}.${mac}`)).toBeNull();
    expect(new RefreshTokens('another-secret-of-enough-length').parse(token)).toBeNull();
  });

  it.each([undefined, 42, '', 'garbage', 'a.b.c.d', `${'x'.repeat(300)}`])(
    'refuses %j without throwing',
    (value) => {
      expect(tokens.parse(value)).toBeNull();
    },
  );
});
