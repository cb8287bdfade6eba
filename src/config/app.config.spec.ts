import { describe, it, expect } from 'vitest';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, loadConfig } from './app.config.js';

const PROD_SECRET = 'a-production-secret-of-enough-length';

describe('loadConfig', () => {
  describe('defaults', () => {
    const config = loadConfig({});

    it('listens on port 3000 on all interfaces', () => {
      expect(config.http.port).toBe(3000);
      expect(config.http.host).toBe('0.0.0.0');
    });

    it('runs every role in development', () => {
      expect(config.role).toBe('all');
      expect(config.env).toBe('development');
      expect(config.isProduction).toBe(false);
    });

    it('resolves DATA_DIR to an absolute path', () => {
      expect(isAbsolute(config.dataDir)).toBe(true);
      expect(config.dataDir).toBe(resolve('./data'));
    });

    it('keeps presence for 30 s, access tokens for 15 min and unused sessions for 30 days', () => {
      expect(config.presence.ttlSeconds).toBe(30);
      expect(config.jwt.expiresInSeconds).toBe(900);
      expect(config.sessions.refreshTtlSeconds).toBe(30 * 86400);
      expect(config.externalAuth).toBeNull();
    });

    it('uses the embedded database, no Redis, any origin and the development secret', () => {
      expect(config.database.url).toBeUndefined();
      expect(config.redis.url).toBeUndefined();
      expect(config.http.corsOrigins).toEqual([]);
      expect(config.jwt.isDevelopmentSecret).toBe(true);
      expect(config.jwt.secret.length).toBeGreaterThanOrEqual(16);
    });

    it('returns a frozen object', () => {
      expect(Object.isFrozen(config)).toBe(true);
    });
  });

  describe('DATABASE_READ_URL', () => {
    it('is the replica beside DATABASE_URL', () => {
      const config = loadConfig({
        DATABASE_URL: 'postgres://p/chat',
        DATABASE_READ_URL: 'postgres://r/chat',
      });
      expect(config.database.readUrl).toBe('postgres://r/chat');
    });

    it('needs DATABASE_URL, and a postgres URL', () => {
      expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://r/chat' })).toThrow(
        /needs DATABASE_URL/,
      );
      expect(() =>
        loadConfig({ DATABASE_URL: 'postgres://p/chat', DATABASE_READ_URL: 'mysql://r' }),
      ).toThrow(/DATABASE_READ_URL/);
    });
  });

  describe('REDIS_CLUSTER_NODES', () => {
    it('reads comma-separated host:port seeds', () => {
      const config = loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:7000, 10.0.0.2:7001,' });
      expect(config.redis.clusterNodes).toEqual([
        { host: 'redis-1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ]);
      expect(config.redis.url).toBeUndefined();
    });

    it('is unset by default (one Redis, or none)', () => {
      expect(loadConfig({ REDIS_URL: 'redis://r:6379' }).redis.clusterNodes).toBeUndefined();
    });

    it.each(['redis-1', 'redis://redis-1:7000', 'a:1 b:2', 'a:99999'])('refuses %j', (value) => {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: value })).toThrow(/REDIS_CLUSTER_NODES/);
    });

    it('refuses REDIS_URL beside it', () => {
      expect(() =>
        loadConfig({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'a:7000' }),
      ).toThrow(/not both/);
    });
  });

  describe('ACCESS_TOKEN_TTL', () => {
    it.each([
      ['90', 90],
      ['45s', 45],
      ['15m', 900],
      ['1h', 3600],
      ['2d', 172_800],
    ])('%s is %i seconds', (value, seconds) => {
      expect(loadConfig({ ACCESS_TOKEN_TTL: value }).jwt.expiresInSeconds).toBe(seconds);
    });

    it.each(['0', '1w', '-5', '1.5h', 'h', '10 m'])('refuses %j', (value) => {
      expect(() => loadConfig({ ACCESS_TOKEN_TTL: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ACCESS_TOKEN_TTL: value })).toThrow(/ACCESS_TOKEN_TTL/);
    });

    it('reads the former name JWT_EXPIRES_IN when ACCESS_TOKEN_TTL is unset', () => {
      expect(loadConfig({ JWT_EXPIRES_IN: '1h' }).jwt.expiresInSeconds).toBe(3600);
      const both = { JWT_EXPIRES_IN: '1h', ACCESS_TOKEN_TTL: '5m' };
      expect(loadConfig(both).jwt.expiresInSeconds).toBe(300);
    });
  });

  describe('sessions and external identity', () => {
    it('reads REFRESH_TOKEN_TTL', () => {
      expect(loadConfig({ REFRESH_TOKEN_TTL: '7d' }).sessions.refreshTtlSeconds).toBe(7 * 86400);
      expect(() => loadConfig({ REFRESH_TOKEN_TTL: '0' })).toThrow('REFRESH_TOKEN_TTL');
    });

    it('takes AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE together, never one alone', () => {
      const external = {
        AUTH_JWKS_URL: 'https://idp.example/jwks',
        AUTH_ISSUER: 'https://idp.example/',
        AUTH_AUDIENCE: 'chat',
      };
      expect(loadConfig(external).externalAuth).toEqual({
        jwksUrl: external.AUTH_JWKS_URL,
        issuer: external.AUTH_ISSUER,
        audience: 'chat',
        jwksCooldownSeconds: 30,
      });
      expect(() => loadConfig({ ...external, AUTH_AUDIENCE: '' })).toThrow(/set together/);
      expect(() => loadConfig({ AUTH_JWKS_URL: 'ftp://x' })).toThrow('AUTH_JWKS_URL');
    });
  });

  describe('invalid values', () => {
    it('lists every bad variable in one ConfigError', () => {
      let caught: unknown;
      try {
        loadConfig({ PORT: 'abc', APP_ROLE: 'bogus' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      const message = (caught as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('APP_ROLE');
    });

    it.each([
      ['PORT', '70000'],
      ['PORT', '-1'],
      ['PORT', '80.5'],
      ['NODE_ENV', 'staging'],
      ['DATABASE_URL', 'mysql://localhost/db'],
      ['REDIS_URL', 'http://localhost:6379'],
      ['LOG_LEVEL', 'verbose'],
      ['PRESENCE_TTL_SECONDS', '0'],
      ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '500'],
    ])('refuses %s=%s', (name, value) => {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    });

    it('reads numbers and booleans from strings', () => {
      const config = loadConfig({ PORT: '8080', PRESENCE_TTL_SECONDS: '10', MIGRATIONS_RUN: 'no' });
      expect(config.http.port).toBe(8080);
      expect(config.presence.ttlSeconds).toBe(10);
      expect(config.database.migrationsRun).toBe(false);
    });

    it('refuses a boolean it cannot read, such as MIGRATIONS_RUN=flase', () => {
      expect(() => loadConfig({ MIGRATIONS_RUN: 'flase' })).toThrow('MIGRATIONS_RUN');
    });

    it('refuses a zero token lifetime and hexadecimal ports', () => {
      expect(() => loadConfig({ JWT_EXPIRES_IN: '0' })).toThrow('JWT_EXPIRES_IN');
      expect(() => loadConfig({ ACCESS_TOKEN_TTL: '0' })).toThrow('ACCESS_TOKEN_TTL');
      expect(() => loadConfig({ PORT: '0x50' })).toThrow('PORT');
    });

    it('treats an empty number as unset', () => {
      expect(loadConfig({ PORT: '' }).http.port).toBe(3000);
    });
  });

  describe('JWT_SECRET', () => {
    it('is required when NODE_ENV=production', () => {
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    });

    it('an empty JWT_SECRET counts as unset in production', () => {
      expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: '' })).toThrow(ConfigError);
    });

    it('is used when set in production', () => {
      const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: PROD_SECRET });
      expect(config.isProduction).toBe(true);
      expect(config.jwt.secret).toBe(PROD_SECRET);
      expect(config.jwt.isDevelopmentSecret).toBe(false);
    });

    it('is refused when shorter than 16 characters', () => {
      expect(() => loadConfig({ JWT_SECRET: 'fifteen-chars!!' })).toThrow(ConfigError);
      expect(() => loadConfig({ JWT_SECRET: 'fifteen-chars!!' })).toThrow(/JWT_SECRET/);
      expect(loadConfig({ JWT_SECRET: 'sixteen-chars!!!' }).jwt.secret).toBe('sixteen-chars!!!');
    });
  });

  describe('DATABASE_URL', () => {
    it('treats an empty value as unset (embedded database)', () => {
      expect(loadConfig({ DATABASE_URL: '' }).database.url).toBeUndefined();
    });

    it('accepts postgres:// and postgresql:// URLs', () => {
      expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/chat' }).database.url).toBe(
        'postgres://u:p@db/chat',
      );
      expect(loadConfig({ DATABASE_URL: 'postgresql://db/chat' }).database.url).toBe(
        'postgresql://db/chat',
      );
    });
  });

  it('splits and trims CORS_ORIGINS, dropping empty entries', () => {
    const config = loadConfig({
      CORS_ORIGINS: ' https://a.example.com ,https://b.example.com,, ',
    });
    expect(config.http.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
  });

  it('ignores unknown environment variables', () => {
    const config = loadConfig({
      PATH: '/usr/bin',
      SOME_UNRELATED_VARIABLE: 'whatever',
      npm_config_foo: '',
      PORT: '4000',
    });
    expect(config.http.port).toBe(4000);
    expect(config).not.toHaveProperty('PATH');
    expect(config).not.toHaveProperty('SOME_UNRELATED_VARIABLE');
  });

  it('skips variables whose value is undefined', () => {
    expect(loadConfig({ PORT: undefined }).http.port).toBe(3000);
  });

  describe('uploads and storage', () => {
    it('defaults to 25 MiB, a day before unattached uploads go, local files under DATA_DIR', () => {
      const config = loadConfig({ DATA_DIR: '/srv/chat' });
      expect(config.uploads.maxBytes).toBe(25 * 1024 * 1024);
      expect(config.uploads.unattachedTtlSeconds).toBe(86_400);
      expect(config.uploads.allowedTypes).toContain('application/pdf');
      expect(config.uploads.allowedTypes).not.toContain('image/svg+xml');
      expect(config.storage).toEqual({ kind: 'local', dir: '/srv/chat/files' });
    });

    it('reads UPLOAD_ALLOWED_TYPES as a trimmed, lower-case list', () => {
      const config = loadConfig({ UPLOAD_ALLOWED_TYPES: ' image/PNG, text/plain ,video/*' });
      expect(config.uploads.allowedTypes).toEqual(['image/png', 'text/plain', 'video/*']);
    });

    it.each([
      ['UPLOAD_ALLOWED_TYPES', 'png'],
      ['UPLOAD_ALLOWED_TYPES', 'image/png;text/plain'],
      ['MAX_UPLOAD_BYTES', '0'],
      ['MAX_UPLOAD_BYTES', String(2 ** 31)],
      ['STORAGE', 'ftp'],
      ['S3_ENDPOINT', 'minio:9000'],
      ['S3_FORCE_PATH_STYLE', 'maybe'],
    ])('refuses %s=%s', (name, value) => {
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    });

    it('needs S3_BUCKET for STORAGE=s3, and both S3 keys or neither', () => {
      expect(() => loadConfig({ STORAGE: 's3' })).toThrow('S3_BUCKET');
      expect(() => loadConfig({ STORAGE: 's3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k' })).toThrow(
        'S3_SECRET_ACCESS_KEY',
      );
    });

    it('builds the S3 settings', () => {
      const config = loadConfig({
        STORAGE: 's3',
        S3_BUCKET: 'chat-files',
        S3_ENDPOINT: 'http://minio:9000',
        S3_ACCESS_KEY_ID: 'key',
        S3_SECRET_ACCESS_KEY: 'secret',
        S3_FORCE_PATH_STYLE: 'true',
      });
      expect(config.storage).toEqual({
        kind: 's3',
        bucket: 'chat-files',
        region: 'us-east-1',
        endpoint: 'http://minio:9000',
        credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
        forcePathStyle: true,
      });
    });
  });

  describe('APP_ROLE', () => {
    it.each([
      ['all', true, true],
      ['api', true, false],
      ['realtime', false, true],
      ['worker', false, false],
    ])('%s: servesHttpApi=%s, servesWebSocket=%s', (role, http, ws) => {
      const config = loadConfig({ APP_ROLE: role });
      expect(config.role).toBe(role);
      expect(config.servesHttpApi).toBe(http);
      expect(config.servesWebSocket).toBe(ws);
      expect(config.runsPushWorker).toBe(role === 'all' || role === 'worker');
    });
  });

  describe('Web Push', () => {
    const keys = {
      WEB_PUSH_VAPID_PUBLIC_KEY: 'B'.repeat(87),
      WEB_PUSH_VAPID_PRIVATE_KEY: 'p'.repeat(43),
      WEB_PUSH_SUBJECT: 'mailto:ops@example.com',
    };
    it('is off without VAPID keys, on with all three, refused with some', () => {
      expect(loadConfig({}).push.vapid).toBeNull();
      expect(loadConfig(keys).push.vapid).toEqual({
        publicKey: keys.WEB_PUSH_VAPID_PUBLIC_KEY,
        privateKey: keys.WEB_PUSH_VAPID_PRIVATE_KEY,
        subject: 'mailto:ops@example.com',
      });
      expect(() => loadConfig({ ...keys, WEB_PUSH_SUBJECT: '' })).toThrow(/set together/);
      expect(() => loadConfig({ ...keys, WEB_PUSH_SUBJECT: 'ops@example.com' })).toThrow(
        /WEB_PUSH_SUBJECT/,
      );
      expect(() => loadConfig({ ...keys, WEB_PUSH_VAPID_PRIVATE_KEY: 'short' })).toThrow(
        /WEB_PUSH_VAPID_PRIVATE_KEY/,
      );
    });
    it('allows any endpoint host outside production, the push services in production', () => {
      const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
      expect(loadConfig({}).push.endpointHosts).toEqual([]);
      expect(loadConfig(production).push.endpointHosts).toContain('fcm.googleapis.com');
      expect(
        loadConfig({ ...production, WEB_PUSH_ENDPOINT_HOSTS: '*' }).push.endpointHosts,
      ).toEqual([]);
      expect(
        loadConfig({ WEB_PUSH_ENDPOINT_HOSTS: 'Push.Example.com, .example.net' }).push
          .endpointHosts,
      ).toEqual(['push.example.com', '.example.net']);
      expect(loadConfig({}).push).toMatchObject({ delaySeconds: 10, maxAttempts: 5 });
    });
  });

  describe('METRICS_TOKEN', () => {
    const token = 'a-metrics-token-of-32-characters';
    it('opens /metrics outside production, and in production only with a token', () => {
      expect(loadConfig({}).metrics).toEqual({ enabled: true, token: undefined });
      const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
      expect(loadConfig(production).metrics.enabled).toBe(false);
      expect(loadConfig({ ...production, METRICS_TOKEN: token }).metrics).toEqual({
        enabled: true,
        token,
      });
    });

    it('refuses a short token', () => {
      expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    });
  });

  describe('TRUSTED_PROXIES', () => {
    it('trusts no proxy by default', () => {
      expect(loadConfig({}).http.trustedProxies).toEqual([]);
    });

    it('takes addresses, CIDRs and Express names', () => {
      expect(
        loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.1,loopback, fd00::/8' }).http
          .trustedProxies,
      ).toEqual(['10.0.0.0/8', '192.168.1.1', 'loopback', 'fd00::/8']);
    });

    it.each(['everyone', '10.0.0.0/99', '1.2.3', '*'])('refuses %j', (value) => {
      expect(() => loadConfig({ TRUSTED_PROXIES: value })).toThrow(/TRUSTED_PROXIES/);
    });
  });
});
