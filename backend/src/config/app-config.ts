import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * Everything the server reads from the environment, validated once at boot.
 * Inject `AppConfig`; nothing outside `config/` reads `process.env`.
 */
export class AppConfig {
  /** HTTP and WebSocket port. */
  port = 8080;
  /** Interface to listen on; undefined listens on all of them. */
  host?: string;
  logLevel: LogLevelName = 'log';
  /** Interval of WebSocket pings; a connection that missed one is dropped at the next. */
  heartbeatMs = 25_000;
  /** Where the built web app lives (served at `/`). */
  staticDir?: string;
  /** SQLite's folder, used when no DATABASE_URL is set. */
  dataDir = './data';
  /** postgres://… selects PostgreSQL. */
  databaseUrl?: string;
  /** `memory` keeps everything in process memory (benchmarks, experiments): nothing survives a restart. */
  storage: StorageKind = 'sqlite';
  /** redis://… joins the instances sharing DATABASE_URL into one server. */
  redisUrl?: string;
  /** Key and channel prefix in Redis: instances with the same prefix form one server. */
  redisPrefix = 'chatstream';
  /** An instance that stops renewing its presence lease for this long is taken for dead. */
  presenceLeaseMs = 15_000;
  /** How long the first message of a batch waits for others to share its transaction; 0: no wait (the turn's messages, then what arrived during the commit). */
  commitWindowMs = 1;

  // ---- accounts and access (see docs/security.md) ----
  /** `accounts`: sessions decide who you are; `open`: the original trust model (clients say who they are). */
  auth: AuthMode = 'accounts';
  /** `closed`: only the operator's command line makes accounts. */
  registration: 'open' | 'closed' = 'open';
  /** A session unused this long ends (sliding). */
  sessionTtlDays = 30;
  /** More origins (normalized `scheme://host[:port]`) allowed for cookie-authenticated writes and upgrades. */
  allowedOrigins: string[] = [];
  /** `auto`: the session cookie is Secure when the request came over https. */
  cookieSecure: 'auto' | boolean = 'auto';
  /** Take the client's address and scheme from X-Forwarded-For / X-Forwarded-Proto (one proxy in front). */
  trustProxy = false;
  /** Accounts made per client address per hour; 0: no limit. */
  rateRegistrationsPerHour = 20;
  /**
   * How long a validated session is trusted from memory, and how often open
   * sockets' sessions are checked against storage (sessions ended by the
   * command line with no cluster relay to tell). Not an environment
   * variable: specs shorten it.
   */
  sessionRecheckMs = 30_000;
  /** Messages (frames and REST together) a user may send at once, per instance. */
  rateMessageBurst = 20;
  /** Sustained messages per second per user after the burst; 0 turns the message limit off. */
  rateMessagesPerSecond = 5;
  /** A request whose headers or body have not fully arrived within this is answered 408 and closed. */
  requestTimeoutMs = 30_000;
}

export type AuthMode = 'accounts' | 'open';

export type StorageKind = 'sqlite' | 'postgres' | 'memory';

/** The environment variables, as strings, with their rules. */
class EnvSchema {
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must be between 0 and 65535' })
  @Max(65535, { message: 'must be between 0 and 65535' })
  PORT?: number;

  @IsOptional()
  @IsString()
  @Matches(/^\S+$/, { message: 'must be a host name or address' })
  HOST?: string;

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: LogLevelName;

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(100, { message: 'must be at least 100 (milliseconds)' })
  WS_HEARTBEAT_MS?: number;

  @IsOptional()
  @IsString()
  STATIC_DIR?: string;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'must be a redis:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be 1-64 letters, digits, dots, dashes or underscores' })
  REDIS_PREFIX?: string;

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(300, { message: 'must be at least 300 (milliseconds)' })
  PRESENCE_LEASE_MS?: number;

  @IsOptional()
  @IsIn(['memory'], { message: 'must be "memory" or unset (durable storage)' })
  STORAGE?: 'memory';

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(0, { message: 'must be between 0 and 50 (milliseconds)' })
  @Max(50, { message: 'must be between 0 and 50 (milliseconds)' })
  COMMIT_WINDOW_MS?: number;

  @IsOptional()
  @IsIn(['accounts', 'open'], { message: 'must be "accounts" or "open"' })
  AUTH?: AuthMode;

  @IsOptional()
  @IsIn(['open', 'closed'], { message: 'must be "open" or "closed"' })
  REGISTRATION?: 'open' | 'closed';

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1, { message: 'must be between 1 and 3650 (days)' })
  @Max(3650, { message: 'must be between 1 and 3650 (days)' })
  SESSION_TTL_DAYS?: number;

  @IsOptional()
  @IsString()
  ALLOWED_ORIGINS?: string;

  @IsOptional()
  @IsIn(['auto', 'true', 'false'], { message: 'must be "auto", "true" or "false"' })
  COOKIE_SECURE?: 'auto' | 'true' | 'false';

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be "true" or "false"' })
  TRUST_PROXY?: 'true' | 'false';

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be 0 (no limit) or more' })
  RATE_REGISTRATIONS_PER_HOUR?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt({ message: 'must be an integer number of messages' })
  @Min(1, { message: 'must be at least 1' })
  RATE_MESSAGE_BURST?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number of messages per second (0: no limit)' })
  @Min(0, { message: 'must be 0 (no limit) or more' })
  RATE_MESSAGES_PER_S?: number;

  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(100, { message: 'must be at least 100 (milliseconds)' })
  REQUEST_TIMEOUT_MS?: number;
}

/** The variables `loadConfig` reads. */
const ENV_VARIABLES = [
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'WS_HEARTBEAT_MS',
  'STATIC_DIR',
  'DATA_DIR',
  'DATABASE_URL',
  'STORAGE',
  'COMMIT_WINDOW_MS',
  'REDIS_URL',
  'REDIS_PREFIX',
  'PRESENCE_LEASE_MS',
  'AUTH',
  'REGISTRATION',
  'SESSION_TTL_DAYS',
  'ALLOWED_ORIGINS',
  'COOKIE_SECURE',
  'TRUST_PROXY',
  'RATE_REGISTRATIONS_PER_HOUR',
  'RATE_MESSAGE_BURST',
  'RATE_MESSAGES_PER_S',
  'REQUEST_TIMEOUT_MS',
] as const;

export class ConfigError extends Error {}

/** Parses the environment; throws a `ConfigError` naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const known = Object.fromEntries(ENV_VARIABLES.map((key) => [key, env[key] === '' ? undefined : env[key]]));
  const parsed = plainToInstance(EnvSchema, known);
  const [error] = validateSync(parsed, { skipMissingProperties: false });
  if (error) {
    const reason = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
    // URLs may hold a password: never echo them.
    const got = /_URL$/.test(error.property) ? '' : ` (got "${String(env[error.property])}")`;
    throw new ConfigError(`${error.property} ${reason}${got}`);
  }
  const config = new AppConfig();
  if (parsed.PORT !== undefined) config.port = parsed.PORT;
  if (parsed.HOST !== undefined) config.host = parsed.HOST;
  if (parsed.LOG_LEVEL !== undefined) config.logLevel = parsed.LOG_LEVEL;
  if (parsed.WS_HEARTBEAT_MS !== undefined) config.heartbeatMs = parsed.WS_HEARTBEAT_MS;
  if (parsed.STATIC_DIR !== undefined) config.staticDir = parsed.STATIC_DIR;
  if (parsed.DATA_DIR !== undefined) config.dataDir = parsed.DATA_DIR;
  if (parsed.COMMIT_WINDOW_MS !== undefined) config.commitWindowMs = parsed.COMMIT_WINDOW_MS;
  if (parsed.DATABASE_URL !== undefined) {
    config.databaseUrl = parsed.DATABASE_URL;
    config.storage = 'postgres';
  }
  if (parsed.STORAGE === 'memory') {
    if (parsed.DATABASE_URL !== undefined) throw new ConfigError('STORAGE=memory and DATABASE_URL are mutually exclusive');
    config.storage = 'memory';
  }
  if (parsed.REDIS_URL !== undefined) {
    if (config.storage !== 'postgres') {
      throw new ConfigError('REDIS_URL needs DATABASE_URL: instances must share one PostgreSQL database');
    }
    config.redisUrl = parsed.REDIS_URL;
  }
  if (parsed.REDIS_PREFIX !== undefined) config.redisPrefix = parsed.REDIS_PREFIX;
  if (parsed.PRESENCE_LEASE_MS !== undefined) config.presenceLeaseMs = parsed.PRESENCE_LEASE_MS;
  readAccessSettings(parsed, config);
  if (parsed.RATE_MESSAGE_BURST !== undefined) config.rateMessageBurst = parsed.RATE_MESSAGE_BURST;
  if (parsed.RATE_MESSAGES_PER_S !== undefined) config.rateMessagesPerSecond = parsed.RATE_MESSAGES_PER_S;
  if (parsed.REQUEST_TIMEOUT_MS !== undefined) config.requestTimeoutMs = parsed.REQUEST_TIMEOUT_MS;
  return config;
}

function readAccessSettings(parsed: EnvSchema, config: AppConfig): void {
  if (parsed.AUTH !== undefined) config.auth = parsed.AUTH;
  if (parsed.REGISTRATION !== undefined) config.registration = parsed.REGISTRATION;
  if (parsed.SESSION_TTL_DAYS !== undefined) config.sessionTtlDays = parsed.SESSION_TTL_DAYS;
  if (parsed.ALLOWED_ORIGINS !== undefined) config.allowedOrigins = parseOrigins(parsed.ALLOWED_ORIGINS);
  if (parsed.COOKIE_SECURE !== undefined) config.cookieSecure = parsed.COOKIE_SECURE === 'auto' ? 'auto' : parsed.COOKIE_SECURE === 'true';
  if (parsed.TRUST_PROXY !== undefined) config.trustProxy = parsed.TRUST_PROXY === 'true';
  if (parsed.RATE_REGISTRATIONS_PER_HOUR !== undefined) config.rateRegistrationsPerHour = parsed.RATE_REGISTRATIONS_PER_HOUR;
}

/** `https://chat.example.com, http://localhost:4200` -> normalized origins; anything else is a ConfigError. */
function parseOrigins(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash || url.username) {
        throw new ConfigError(`ALLOWED_ORIGINS must list origins like https://chat.example.com (got "${entry}")`);
      }
      return url.origin;
    });
}

