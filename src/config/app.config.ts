/**
 * Configuration: the environment is read once, validated with class-validator, and turned into
 * one typed, immutable AppConfig object that is injected wherever settings are needed.
 */
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { resolve } from 'node:path';

const RATE = /^([1-9]\d*)\/([1-9]\d*)(ms|s|m|h)$/;
const RATE_MESSAGE = '$property must look like 30/10s: a count, "/", a window in ms, s, m or h';

const BOOLEANS: Record<string, boolean> = {
  '1': true,
  true: true,
  yes: true,
  on: true,
  '0': false,
  false: false,
  no: false,
  off: false,
};
/** Unrecognised text stays a string, so IsBoolean refuses it instead of a typo meaning false. */
const toBool = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (BOOLEANS[value.trim().toLowerCase()] ?? value) : value;
/** Decimal integers only: anything else stays a string for IsInt to refuse. */
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

export const APP_ROLES = ['all', 'api', 'realtime'] as const;
export type AppRole = (typeof APP_ROLES)[number];

/**
 * The raw environment, as validated. Names match the variables documented in the README. Every
 * field has an initializer (even `undefined`): the instance's keys are the list of known variables.
 */
class EnvSchema {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(APP_ROLES)
  APP_ROLE: AppRole = 'all';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//)
  DATABASE_URL?: string = undefined;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE = 10;

  /** How long a query waits for a free pooled connection before failing fast. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  DATABASE_POOL_TIMEOUT_MS = 5000;

  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  @IsString()
  DATA_DIR = './data';

  @IsOptional()
  @Matches(/^rediss?:\/\//)
  REDIS_URL?: string = undefined;

  /** Prefix of every Redis key and channel, so several deployments (or test runs) share a Redis. */
  @IsString()
  REDIS_PREFIX = 'chat:';

  @IsOptional()
  @IsString()
  @MinLength(16)
  JWT_SECRET?: string = undefined;

  @Matches(/^[1-9]\d*[smhd]?$/, {
    message: 'JWT_EXPIRES_IN must be a positive number of seconds, or a number with s, m, h or d',
  })
  JWT_EXPIRES_IN = '1h';

  /** Comma-separated origins allowed to open WebSockets and make CORS requests; empty = any. */
  @IsString()
  CORS_ORIGINS = '';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  PRESENCE_TTL_SECONDS = 30;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  PRESENCE_GRACE_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  WS_MAX_PAYLOAD_BYTES = 64 * 1024;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  WS_MAX_SUBSCRIPTIONS = 50;

  /** A socket whose unsent data passes this many bytes is a slow reader and is closed. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  WS_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

  /** `off` disables every rate limit (load tests); otherwise each limit below applies. */
  @IsIn(['on', 'off'])
  RATE_LIMITS: 'on' | 'off' = 'on';

  /** Limits are "<count>/<window>", window in ms, s, m or h. Sends, per user. */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_SENDS = '30/10s';

  /** Failed-or-not login attempts per username (guessing one account's password). */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_LOGINS_PER_USERNAME = '10/15m';

  /** Login attempts per client address (guessing across accounts). */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_LOGINS_PER_IP = '100/15m';

  /** Uploads per user. */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_UPLOADS = '30/1m';

  /** Subscriptions started per WebSocket connection. */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_SUBSCRIPTIONS = '30/10s';
}

export interface RateLimit {
  limit: number;
  windowMs: number;
}

function parseRate(text: string): RateLimit {
  const [, count, amount, unit] = RATE.exec(text)!;
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return { limit: Number(count), windowMs: Number(amount) * unitMs };
}

function parseDurationSeconds(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text)!;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** A fixed key for development only; production refuses to start without JWT_SECRET. */
const DEVELOPMENT_JWT_SECRET = 'development-only-secret-do-not-use-in-production';

export class ConfigError extends Error {}

/** The application's settings, grouped by area. Built once by loadConfig(). */
export class AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly role: AppRole;
  readonly http: { port: number; host: string; corsOrigins: string[] };
  readonly database: {
    /** undefined: run the embedded PostgreSQL (PGlite) under dataDir. */
    url?: string;
    poolSize: number;
    poolTimeoutMs: number;
    migrationsRun: boolean;
  };
  readonly dataDir: string;
  readonly redis: { url?: string; prefix: string };
  readonly jwt: { secret: string; expiresInSeconds: number; isDevelopmentSecret: boolean };
  readonly logLevel: string;
  readonly presence: { ttlSeconds: number; graceMs: number };
  readonly ws: { maxPayloadBytes: number; maxSubscriptions: number; maxBufferedBytes: number };
  /** null when RATE_LIMITS=off. */
  readonly rateLimits: {
    sends: RateLimit;
    loginsPerUsername: RateLimit;
    loginsPerIp: RateLimit;
    uploads: RateLimit;
    subscriptions: RateLimit;
  } | null;

  get isProduction(): boolean {
    return this.env === 'production';
  }
  get servesHttpApi(): boolean {
    return this.role !== 'realtime';
  }
  get servesWebSocket(): boolean {
    return this.role !== 'api';
  }
}

/** Reads and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new EnvSchema());
  const raw = Object.fromEntries(
    // An empty variable means "unset", as shells and compose files commonly pass them.
    Object.entries(env).filter(
      ([key, value]) => known.includes(key) && value !== undefined && value !== '',
    ),
  );
  const parsed = plainToInstance(EnvSchema, raw, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  if (!parsed.JWT_SECRET && parsed.NODE_ENV === 'production') {
    throw new ConfigError('JWT_SECRET must be set when NODE_ENV=production');
  }

  const config = Object.assign(new AppConfig(), {
    env: parsed.NODE_ENV,
    role: parsed.APP_ROLE,
    http: {
      port: parsed.PORT,
      host: parsed.HOST,
      corsOrigins: parsed.CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
    database: {
      url: parsed.DATABASE_URL,
      poolSize: parsed.DATABASE_POOL_SIZE,
      poolTimeoutMs: parsed.DATABASE_POOL_TIMEOUT_MS,
      migrationsRun: parsed.MIGRATIONS_RUN,
    },
    dataDir: resolve(parsed.DATA_DIR),
    redis: { url: parsed.REDIS_URL, prefix: parsed.REDIS_PREFIX },
    jwt: {
      secret: parsed.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
      expiresInSeconds: parseDurationSeconds(parsed.JWT_EXPIRES_IN),
      isDevelopmentSecret: !parsed.JWT_SECRET,
    },
    logLevel: parsed.LOG_LEVEL,
    presence: { ttlSeconds: parsed.PRESENCE_TTL_SECONDS, graceMs: parsed.PRESENCE_GRACE_MS },
    ws: {
      maxPayloadBytes: parsed.WS_MAX_PAYLOAD_BYTES,
      maxSubscriptions: parsed.WS_MAX_SUBSCRIPTIONS,
      maxBufferedBytes: parsed.WS_MAX_BUFFERED_BYTES,
    },
    rateLimits:
      parsed.RATE_LIMITS === 'off'
        ? null
        : {
            sends: parseRate(parsed.RATE_LIMIT_SENDS),
            loginsPerUsername: parseRate(parsed.RATE_LIMIT_LOGINS_PER_USERNAME),
            loginsPerIp: parseRate(parsed.RATE_LIMIT_LOGINS_PER_IP),
            uploads: parseRate(parsed.RATE_LIMIT_UPLOADS),
            subscriptions: parseRate(parsed.RATE_LIMIT_SUBSCRIPTIONS),
          },
  });
  return Object.freeze(config);
}
