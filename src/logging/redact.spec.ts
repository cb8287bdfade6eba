import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrlSecrets, serializeRequest } from './redact.js';

describe('log redaction', () => {
  it('redacts credentials in URL query strings', () => {
    expect(redactUrlSecrets('/files/1?token=abc&x=1')).toBe('/files/1?token=[redacted]&x=1');
    expect(redactUrlSecrets('/a?access_token=abc&password=p&Token=t')).toBe(
      '/a?access_token=[redacted]&password=[redacted]&Token=[redacted]',
    );
    expect(redactUrlSecrets('/graphql?query=%7Bme%7D')).toBe('/graphql?query=%7Bme%7D');
    expect(redactUrlSecrets('/plain')).toBe('/plain');
  });

  it('redacts secret fields and failed-query parameters at any depth', () => {
    const err = {
      type: 'QueryFailedError',
      query: 'INSERT INTO users VALUES ($1, $2)',
      parameters: ['bob', '$argon2id$v=19$...'],
      driverError: { code: '23505', detail: 'Key (username)=(bob) already exists.' },
      variables: { input: { username: 'bob', password: 'hunter2' } },
    };
    const text = JSON.stringify(redactSecrets(err));
    expect(text).not.toContain('argon2');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('(bob)');
    expect(text).toContain('INSERT INTO users');
    expect(text).toContain('23505');
  });

  it('serializes a request with its URL and query redacted', () => {
    const req = serializeRequest({
      method: 'GET',
      url: '/files/1?access_token=abc',
      query: { access_token: 'abc' },
      raw: {},
    });
    expect(JSON.stringify(req)).not.toContain('abc');
    expect(req.url).toBe('/files/1?access_token=[redacted]');
  });
});
