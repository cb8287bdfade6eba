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
import { join, resolve } from 'node:path';
import proxyAddr from 'proxy-addr';

/** Each entry an IPv4/IPv6 address with an optional /prefix, or one of Express's names. */
const PROXY = String.raw`(?:loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(?:\/\d{1,3})?)`;
const TRUSTED_PROXIES = new RegExp(String.raw`^\s*(?:${PROXY}\s*(?:,\s*${PROXY}\s*)*)?,?\s*$`);

const DURATION = /^[1-9]\d*[smhd]?$/;
const DURATION_MESSAGE =
  '$property must be a positive number of seconds, or a number with s, m, h or d';
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

/** busboy is given one byte more to detect an overflow; the total must fit a PostgreSQL integer. */
const MAX_UPLOAD_BYTES_LIMIT = 2 ** 31 - 2;

/**
 * What an upload may be, by the type its bytes show (never the client's say-so): images (no SVG:
 * it can carry script), PDF, plain UTF-8 text, OOXML and OpenDocument office files (macro-enabled
 * variants are their own types and stay out), common audio and video, and ZIP archives.
 */
export const DEFAULT_ALLOWED_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/heic',
  'image/heif',
  'image/bmp',
  'image/tiff',
  'application/pdf',
  'text/plain',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'audio/mpeg',
  'audio/mp4',
  'audio/x-m4a',
  'audio/aac',
  'audio/ogg',
  'audio/wav',
  'audio/flac',
  'video/mp4',
  'video/x-m4v',
  'video/webm',
  'video/quicktime',
  'video/ogg',
  'video/matroska',
  'video/3gpp',
  'application/zip',
];

export const APP_ROLES = ['all', 'api', 'realtime', 'worker'] as const;
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

  /**
   * A streaming replica of DATABASE_URL: history pages and user searches read there, falling
   * back to the primary when the replica is behind the conversation (a seq watermark).
   */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//)
  DATABASE_READ_URL?: string = undefined;

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

  /**
   * Seeds of a Redis Cluster (Redis 7+), `host:port` comma-separated, used instead of REDIS_URL:
   * every Redis use then runs on the cluster (sharded pub/sub, hash-tagged keys).
   */
  @IsOptional()
  @Matches(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*,?\s*$/, {
    message:
      'REDIS_CLUSTER_NODES must be a comma-separated list of host:port, such as redis-1:6379,redis-2:6379',
  })
  REDIS_CLUSTER_NODES?: string = undefined;

  /** Prefix of every Redis key and channel, so several deployments (or test runs) share a Redis. */
  @IsString()
  REDIS_PREFIX = 'chat:';

  @IsOptional()
  @IsString()
  @MinLength(16)
  JWT_SECRET?: string = undefined;

  /** Access token lifetime. */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  ACCESS_TOKEN_TTL = '15m';

  /** The former name of ACCESS_TOKEN_TTL, still read when that is unset. */
  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE })
  JWT_EXPIRES_IN?: string = undefined;

  /** How long a session lives without a refresh (sliding: every refresh starts it again). */
  @Matches(DURATION, { message: DURATION_MESSAGE })
  REFRESH_TOKEN_TTL = '30d';

  /** An external identity provider whose access tokens are accepted too (all three or none). */
  @IsOptional()
  @Matches(/^https?:\/\//)
  AUTH_JWKS_URL?: string = undefined;

  @IsOptional()
  @IsString()
  AUTH_ISSUER?: string = undefined;

  @IsOptional()
  @IsString()
  AUTH_AUDIENCE?: string = undefined;

  /** The least time between two JWKS fetches (a token with an unknown `kid` triggers one). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  AUTH_JWKS_COOLDOWN_SECONDS = 30;

  /**
   * Proxies whose X-Forwarded-For is believed (client addresses feed the per-address limits):
   * comma-separated addresses, CIDRs, or Express's names loopback, linklocal, uniquelocal.
   * Empty: none; the peer's own address is the client's.
   */
  @Matches(TRUSTED_PROXIES, {
    message:
      'TRUSTED_PROXIES must be a comma-separated list of addresses, CIDRs (10.0.0.0/8) or loopback, linklocal, uniquelocal',
  })
  TRUSTED_PROXIES = '';

  /** Comma-separated origins allowed to open WebSockets and make CORS requests; empty = any. */
  @IsString()
  CORS_ORIGINS = '';

  /**
   * How long an idle kept-alive HTTP connection stays open. Longer than the proxy's own idle
   * timeout (nginx upstream 60 s, AWS ALB 60 s): a server that closes first races the proxy's
   * next request on that connection, which fails (nginx answers a POST with 502).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 65_000;

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

  /** Open sockets per user on one instance (RATE_LIMITS=off lifts it). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WS_MAX_CONNECTIONS_PER_USER = 20;

  /** Open sockets per client address on one instance (a NAT of many people must fit). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WS_MAX_CONNECTIONS_PER_ADDRESS = 1000;

  /** `off` disables every rate limit (load tests); otherwise each limit below applies. */
  @IsIn(['on', 'off'])
  RATE_LIMITS: 'on' | 'off' = 'on';

  /** Limits are "<count>/<window>", window in ms, s, m or h. Sends, per user. */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_SENDS = '30/10s';

  /**
   * Login attempts per username from one address: what stops guessing one account's password,
   * and locks out only that address (a stranger cannot lock the owner out from elsewhere).
   */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_LOGINS_PER_USERNAME_AND_IP = '10/15m';

  /** Login attempts per username from all addresses: credential stuffing across many. */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_LOGINS_PER_USERNAME = '100/15m';

  /** Login attempts per client address (guessing across accounts). */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_LOGINS_PER_IP = '100/15m';

  /** Session refreshes per client address (a client refreshes about once an access-token life). */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_REFRESHES_PER_IP = '300/15m';

  /** Accounts created per client address (each costs an argon2 hash; and sign-up spam). */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_REGISTRATIONS_PER_IP = '20/1h';

  /** Group creations and participant additions per user (group spam). */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_GROUPS = '10/1m';

  /** Uploads per user. */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_UPLOADS = '30/1m';

  /** Subscriptions started per WebSocket connection. */
  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_SUBSCRIPTIONS = '30/10s';

  /**
   * How long a rate-limit check waits for Redis before letting the request through unchecked
   * (a Redis that accepts connections but never answers must not hold logins and sends).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60_000)
  RATE_LIMIT_REDIS_TIMEOUT_MS = 250;

  /** Largest accepted attachment. Sizes are stored as PostgreSQL integers, hence the maximum. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_UPLOAD_BYTES_LIMIT)
  MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

  /** Largest accepted avatar image. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_UPLOAD_BYTES_LIMIT)
  MAX_AVATAR_BYTES = 2 * 1024 * 1024;

  /** Comma-separated content types (or `type/*`) an upload's bytes may turn out to be. */
  @Matches(/^\s*[\w.+-]+\/(\*|[\w.+-]+)\s*(,\s*[\w.+-]+\/(\*|[\w.+-]+)\s*)*,?\s*$/, {
    message:
      'UPLOAD_ALLOWED_TYPES must be a comma-separated list of content types such as image/png or image/*',
  })
  UPLOAD_ALLOWED_TYPES = DEFAULT_ALLOWED_TYPES.join(',');

  /** Uploads not attached to a message within this time are deleted by the sweep. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  UPLOAD_UNATTACHED_TTL_SECONDS = 24 * 3600;

  /** Bytes of a user's uploads not yet attached to a message (each kept until swept). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  UPLOAD_UNATTACHED_QUOTA_BYTES = 200 * 1024 * 1024;

  /** How often an instance sweeps old unattached uploads; 0: never (another instance does). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  UPLOAD_SWEEP_INTERVAL_SECONDS = 3600;

  /** Where attachments are stored: `local` (DATA_DIR/files) or `s3` (any S3-compatible store). */
  @IsIn(['local', 's3'])
  STORAGE: 'local' | 's3' = 'local';

  @IsOptional()
  @IsString()
  S3_BUCKET?: string = undefined;

  @IsString()
  S3_REGION = 'us-east-1';

  /** For S3-compatible stores (MinIO, R2, …); unset for AWS itself. */
  @IsOptional()
  @Matches(/^https?:\/\//)
  S3_ENDPOINT?: string = undefined;

  /** Both or neither; when neither, the AWS SDK's default credential chain is used. */
  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string = undefined;

  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string = undefined;

  /** Path-style URLs (endpoint/bucket/key), which MinIO and most self-hosted stores need. */
  @Transform(toBool)
  @IsBoolean()
  S3_FORCE_PATH_STYLE = false;

  /**
   * Bearer token for GET /metrics (Prometheus). Set: required everywhere. Unset: /metrics is open
   * outside production and off (404) in production.
   */
  @IsOptional()
  @IsString()
  @MinLength(16)
  METRICS_TOKEN?: string = undefined;

  /** Web Push (VAPID, RFC 8292): all three or none; none turns push off. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{87}$/, {
    message: 'WEB_PUSH_VAPID_PUBLIC_KEY must be a base64url P-256 public key (87 characters)',
  })
  WEB_PUSH_VAPID_PUBLIC_KEY?: string = undefined;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{43}$/, {
    message: 'WEB_PUSH_VAPID_PRIVATE_KEY must be a base64url P-256 private key (43 characters)',
  })
  WEB_PUSH_VAPID_PRIVATE_KEY?: string = undefined;

  /** Who runs this server, for push services: a `mailto:` or `https:` URL. */
  @IsOptional()
  @Matches(/^(mailto:|https:\/\/)\S+$/, {
    message: 'WEB_PUSH_SUBJECT must be a mailto: or https: URL',
  })
  WEB_PUSH_SUBJECT?: string = undefined;

  /**
   * Hosts a device's push endpoint may be on (comma-separated; `.example.com` also takes its
   * subdomains): the worker POSTs to that URL, so in production only the browsers' push services
   * by default, elsewhere any. `*`: any https host.
   */
  @IsOptional()
  @Matches(/^(\*|[\w.,\s-]+)$/, {
    message: 'WEB_PUSH_ENDPOINT_HOSTS must be comma-separated hosts, or *',
  })
  WEB_PUSH_ENDPOINT_HOSTS?: string = undefined;

  /** How long a message waits unread before its push is sent. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  PUSH_DELAY_SECONDS = 10;

  /** How often an idle push worker looks for due jobs (a send also wakes it). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  PUSH_POLL_INTERVAL_MS = 1000;

  /** Jobs one worker claims at a time, and pushes it has in flight at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  PUSH_BATCH_SIZE = 100;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  PUSH_CONCURRENCY = 16;

  /** How long a claimed job is a worker's before another may take it (a worker that died). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PUSH_LEASE_SECONDS = 60;

  /** Attempts per device for 429 and 5xx answers, with exponential backoff between them. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  PUSH_MAX_ATTEMPTS = 5;
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

/** Endpoint hosts of the browsers' push services (Chrome/Edge via FCM, Firefox, Safari, Windows). */
const KNOWN_PUSH_HOSTS = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  'updates.push.services.mozilla.com',
  'web.push.apple.com',
  '.push.apple.com',
  '.notify.windows.com',
];

/** A fixed key for development only; production refuses to start without JWT_SECRET. */
const DEVELOPMENT_JWT_SECRET = 'development-only-secret-do-not-use-in-production';

export class ConfigError extends Error {}

export interface LocalStorageConfig {
  kind: 'local';
  /** DATA_DIR/files */
  dir: string;
}

export interface S3StorageConfig {
  kind: 's3';
  bucket: string;
  region: string;
  endpoint?: string;
  /** Unset: the AWS SDK's default credential chain (environment, instance role, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
}

/** The application's settings, grouped by area. Built once by loadConfig(). */
export class AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly role: AppRole;
  readonly http: {
    port: number;
    host: string;
    corsOrigins: string[];
    /** For Express's `trust proxy`; empty: trust none. */
    trustedProxies: string[];
    keepAliveTimeoutMs: number;
  };
  readonly database: {
    /** undefined: run the embedded PostgreSQL (PGlite) under dataDir. */
    url?: string;
    /** A read replica of url, for history pages and searches. */
    readUrl?: string;
    poolSize: number;
    poolTimeoutMs: number;
    migrationsRun: boolean;
  };
  readonly dataDir: string;
  readonly redis: {
    /** One Redis server. */
    url?: string;
    /** Seeds of a Redis Cluster (never set together with url). */
    clusterNodes?: { host: string; port: number }[];
    prefix: string;
  };
  readonly jwt: { secret: string; expiresInSeconds: number; isDevelopmentSecret: boolean };
  /** Sessions: how long an unused one lives (sliding). */
  readonly sessions: { refreshTtlSeconds: number };
  /** An external identity provider (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE), or none. */
  readonly externalAuth: {
    jwksUrl: string;
    issuer: string;
    audience: string;
    jwksCooldownSeconds: number;
  } | null;
  readonly logLevel: string;
  readonly presence: { ttlSeconds: number; graceMs: number };
  readonly ws: {
    maxPayloadBytes: number;
    maxSubscriptions: number;
    maxBufferedBytes: number;
    /** Per instance; null when RATE_LIMITS=off. */
    maxConnectionsPerUser: number | null;
    maxConnectionsPerAddress: number | null;
  };
  /** null when RATE_LIMITS=off. */
  readonly rateLimits: {
    sends: RateLimit;
    loginsPerUsernameAndIp: RateLimit;
    loginsPerUsername: RateLimit;
    loginsPerIp: RateLimit;
    refreshesPerIp: RateLimit;
    registrationsPerIp: RateLimit;
    uploads: RateLimit;
    groups: RateLimit;
    subscriptions: RateLimit;
  } | null;
  /** How long a rate-limit check waits for Redis before it lets the request through. */
  readonly rateLimitRedisTimeoutMs: number;
  readonly uploads: {
    maxBytes: number;
    maxAvatarBytes: number;
    /** Lower-case content types without parameters; `type/*` allows a whole family. */
    allowedTypes: string[];
    unattachedTtlSeconds: number;
    /** What a user's unattached uploads may add up to. */
    unattachedQuotaBytes: number;
    /** 0: this instance does not sweep. */
    sweepIntervalSeconds: number;
  };
  readonly storage: LocalStorageConfig | S3StorageConfig;
  /** GET /metrics: served when `enabled`; with `token`, only to `Authorization: Bearer <token>`. */
  readonly metrics: { enabled: boolean; token?: string };
  /** Web Push for members who are away (src/push). */
  readonly push: {
    /** null: push is off (no VAPID keys configured). */
    vapid: { publicKey: string; privateKey: string; subject: string } | null;
    /** Lower-case hosts; a leading dot takes subdomains. Empty: any https host. */
    endpointHosts: string[];
    delaySeconds: number;
    pollIntervalMs: number;
    batchSize: number;
    concurrency: number;
    leaseSeconds: number;
    maxAttempts: number;
  };

  get isProduction(): boolean {
    return this.env === 'production';
  }
  get servesHttpApi(): boolean {
    return this.role === 'all' || this.role === 'api';
  }
  get servesWebSocket(): boolean {
    return this.role === 'all' || this.role === 'realtime';
  }
  /** APP_ROLE=worker runs only this (plus health and metrics); `all` runs it too. */
  get runsPushWorker(): boolean {
    return this.role === 'all' || this.role === 'worker';
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
  const vapidKeys = [
    parsed.WEB_PUSH_VAPID_PUBLIC_KEY,
    parsed.WEB_PUSH_VAPID_PRIVATE_KEY,
    parsed.WEB_PUSH_SUBJECT,
  ];
  if (vapidKeys.some(Boolean) && !vapidKeys.every(Boolean)) {
    throw new ConfigError(
      'WEB_PUSH_VAPID_PUBLIC_KEY, WEB_PUSH_VAPID_PRIVATE_KEY and WEB_PUSH_SUBJECT must be set together',
    );
  }
  const trustedProxies = parsed.TRUSTED_PROXIES.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  try {
    proxyAddr.compile(trustedProxies);
  } catch (error) {
    throw new ConfigError(`TRUSTED_PROXIES: ${(error as Error).message}`);
  }
  if (parsed.STORAGE === 's3' && !parsed.S3_BUCKET) {
    throw new ConfigError('S3_BUCKET must be set when STORAGE=s3');
  }
  if (parsed.DATABASE_READ_URL && !parsed.DATABASE_URL) {
    throw new ConfigError('DATABASE_READ_URL needs DATABASE_URL (the primary it replicates)');
  }
  if (parsed.REDIS_URL && parsed.REDIS_CLUSTER_NODES) {
    throw new ConfigError(
      'Set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both',
    );
  }
  const clusterNodes = parsed.REDIS_CLUSTER_NODES?.split(',')
    .map((seed) => seed.trim())
    .filter(Boolean)
    .map((seed) => {
      const at = seed.lastIndexOf(':');
      return { host: seed.slice(0, at), port: Number(seed.slice(at + 1)) };
    });
  if (clusterNodes?.some((n) => n.port < 1 || n.port > 65535)) {
    throw new ConfigError('REDIS_CLUSTER_NODES: every port must be between 1 and 65535');
  }
  if (!parsed.S3_ACCESS_KEY_ID !== !parsed.S3_SECRET_ACCESS_KEY) {
    throw new ConfigError('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together');
  }
  const external = [parsed.AUTH_JWKS_URL, parsed.AUTH_ISSUER, parsed.AUTH_AUDIENCE];
  if (external.some(Boolean) && !external.every(Boolean)) {
    throw new ConfigError('AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE must be set together');
  }
  // ACCESS_TOKEN_TTL wins when both are set; JWT_EXPIRES_IN alone keeps older deployments as
  // they were.
  const accessTtl =
    env.ACCESS_TOKEN_TTL || !parsed.JWT_EXPIRES_IN
      ? parsed.ACCESS_TOKEN_TTL
      : parsed.JWT_EXPIRES_IN;
  const dataDir = resolve(parsed.DATA_DIR);

  const config = Object.assign(new AppConfig(), {
    env: parsed.NODE_ENV,
    role: parsed.APP_ROLE,
    http: {
      port: parsed.PORT,
      host: parsed.HOST,
      corsOrigins: parsed.CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      trustedProxies,
      keepAliveTimeoutMs: parsed.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    database: {
      url: parsed.DATABASE_URL,
      readUrl: parsed.DATABASE_READ_URL,
      poolSize: parsed.DATABASE_POOL_SIZE,
      poolTimeoutMs: parsed.DATABASE_POOL_TIMEOUT_MS,
      migrationsRun: parsed.MIGRATIONS_RUN,
    },
    dataDir,
    redis: { url: parsed.REDIS_URL, clusterNodes, prefix: parsed.REDIS_PREFIX },
    jwt: {
      secret: parsed.JWT_SECRET ?? DEVELOPMENT_JWT_SECRET,
      expiresInSeconds: parseDurationSeconds(accessTtl),
      isDevelopmentSecret: !parsed.JWT_SECRET,
    },
    sessions: { refreshTtlSeconds: parseDurationSeconds(parsed.REFRESH_TOKEN_TTL) },
    externalAuth: parsed.AUTH_JWKS_URL
      ? {
          jwksUrl: parsed.AUTH_JWKS_URL,
          issuer: parsed.AUTH_ISSUER!,
          audience: parsed.AUTH_AUDIENCE!,
          jwksCooldownSeconds: parsed.AUTH_JWKS_COOLDOWN_SECONDS,
        }
      : null,
    logLevel: parsed.LOG_LEVEL,
    presence: { ttlSeconds: parsed.PRESENCE_TTL_SECONDS, graceMs: parsed.PRESENCE_GRACE_MS },
    ws: {
      maxPayloadBytes: parsed.WS_MAX_PAYLOAD_BYTES,
      maxSubscriptions: parsed.WS_MAX_SUBSCRIPTIONS,
      maxBufferedBytes: parsed.WS_MAX_BUFFERED_BYTES,
      maxConnectionsPerUser:
        parsed.RATE_LIMITS === 'off' ? null : parsed.WS_MAX_CONNECTIONS_PER_USER,
      maxConnectionsPerAddress:
        parsed.RATE_LIMITS === 'off' ? null : parsed.WS_MAX_CONNECTIONS_PER_ADDRESS,
    },
    rateLimits:
      parsed.RATE_LIMITS === 'off'
        ? null
        : {
            sends: parseRate(parsed.RATE_LIMIT_SENDS),
            loginsPerUsernameAndIp: parseRate(parsed.RATE_LIMIT_LOGINS_PER_USERNAME_AND_IP),
            loginsPerUsername: parseRate(parsed.RATE_LIMIT_LOGINS_PER_USERNAME),
            loginsPerIp: parseRate(parsed.RATE_LIMIT_LOGINS_PER_IP),
            refreshesPerIp: parseRate(parsed.RATE_LIMIT_REFRESHES_PER_IP),
            registrationsPerIp: parseRate(parsed.RATE_LIMIT_REGISTRATIONS_PER_IP),
            uploads: parseRate(parsed.RATE_LIMIT_UPLOADS),
            groups: parseRate(parsed.RATE_LIMIT_GROUPS),
            subscriptions: parseRate(parsed.RATE_LIMIT_SUBSCRIPTIONS),
          },
    rateLimitRedisTimeoutMs: parsed.RATE_LIMIT_REDIS_TIMEOUT_MS,
    uploads: {
      maxBytes: parsed.MAX_UPLOAD_BYTES,
      maxAvatarBytes: parsed.MAX_AVATAR_BYTES,
      allowedTypes: parsed.UPLOAD_ALLOWED_TYPES.split(',')
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
      unattachedTtlSeconds: parsed.UPLOAD_UNATTACHED_TTL_SECONDS,
      unattachedQuotaBytes: parsed.UPLOAD_UNATTACHED_QUOTA_BYTES,
      sweepIntervalSeconds: parsed.UPLOAD_SWEEP_INTERVAL_SECONDS,
    },
    storage:
      parsed.STORAGE === 's3'
        ? {
            kind: 's3',
            bucket: parsed.S3_BUCKET!,
            region: parsed.S3_REGION,
            endpoint: parsed.S3_ENDPOINT,
            credentials: parsed.S3_ACCESS_KEY_ID
              ? {
                  accessKeyId: parsed.S3_ACCESS_KEY_ID,
                  secretAccessKey: parsed.S3_SECRET_ACCESS_KEY!,
                }
              : undefined,
            forcePathStyle: parsed.S3_FORCE_PATH_STYLE,
          }
        : { kind: 'local', dir: join(dataDir, 'files') },
    metrics: {
      enabled: parsed.NODE_ENV !== 'production' || parsed.METRICS_TOKEN !== undefined,
      token: parsed.METRICS_TOKEN,
    },
    push: {
      vapid: parsed.WEB_PUSH_VAPID_PUBLIC_KEY
        ? {
            publicKey: parsed.WEB_PUSH_VAPID_PUBLIC_KEY,
            privateKey: parsed.WEB_PUSH_VAPID_PRIVATE_KEY!,
            subject: parsed.WEB_PUSH_SUBJECT!,
          }
        : null,
      endpointHosts:
        parsed.WEB_PUSH_ENDPOINT_HOSTS === undefined
          ? parsed.NODE_ENV === 'production'
            ? KNOWN_PUSH_HOSTS
            : []
          : parsed.WEB_PUSH_ENDPOINT_HOSTS.replace('*', '')
              .split(',')
              .map((h) => h.trim().toLowerCase())
              .filter(Boolean),
      delaySeconds: parsed.PUSH_DELAY_SECONDS,
      pollIntervalMs: parsed.PUSH_POLL_INTERVAL_MS,
      batchSize: parsed.PUSH_BATCH_SIZE,
      concurrency: parsed.PUSH_CONCURRENCY,
      leaseSeconds: parsed.PUSH_LEASE_SECONDS,
      maxAttempts: parsed.PUSH_MAX_ATTEMPTS,
    },
  });
  return Object.freeze(config);
}
