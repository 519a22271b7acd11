/**
 * Configuration from the environment (and an optional `.env`), validated once at start.
 * Every variable is listed in README.md; a bad value stops the start with a message naming it.
 */
import { randomBytes } from 'node:crypto';

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  databaseUrl: string;
  jwtSecret: string;
  /** Key for HMACs that are not JWTs (refresh tokens). */
  secretKey: string;
  jwtExpiryMinutes: number;
  sessionExpiryHours: number;
  defaultGeofenceRadius: number;
  maxLocationAccuracy: number;
  passwordMinLength: number;
  corsOrigins: string[];
  logLevel: string;
  bodyLimitBytes: number;
  trustProxy: boolean;
  /** Failed logins per account from anywhere, not counting the account's known addresses. */
  loginMaxPerAccount: number;
  /** Failed logins per account and source address: what one attacker gets before 429. */
  loginMaxPerAccountIp: number;
  /** An address a session of the account was created from within this many days is "known". */
  loginKnownAddressDays: number;
  loginMaxPerIp: number;
  loginWindowSeconds: number;
  redisUrl: string | undefined;
  webConcurrency: number;
  /** Live feed (SSE): open streams per user (429 beyond), per process, heartbeat, buffer bound. */
  live: LiveLimits;
  bootstrapAdminEmail: string | undefined;
  bootstrapAdminPassword: string | undefined;
  /** Outbox worker poll interval; 0 = no worker in this process (tests drive it by hand). */
  outboxPollMs: number;
  /** How long a failing outbox message is retried before it is marked failed. */
  outboxRetryHours: number;
  /** Lifts the webhook address rule (loopback/private/link-local…): tests and intranets. */
  webhookAllowPrivate: boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Run the in-process scheduler (closing ended sessions, clean-ups); a lease row elects one runner per job. */
  schedulerEnabled: boolean;
  /** How long a job's lease lasts without renewal: a dead holder's jobs are taken over after this. */
  schedulerLeaseSeconds: number;
  /** How often the close job looks for ended sessions (sessions close within lease + this after their end). */
  schedulerCloseIntervalSeconds: number;
  /**
   * PUBLIC_URL: where browsers reach the service (QR and calendar links, the Origin a cookie refresh
   * must come from). No trailing slash. Default http://localhost:5000 outside production; required in production.
   */
  publicUrl: string;
  /** Seconds during which the refresh token just rotated still returns the same new pair (two tabs). */
  refreshGraceSeconds: number;
  /** HTTP server limits (README "Server timeouts and connection caps"). */
  http: HttpLimits;
  /** Bearer token of GET /metrics; unset → /metrics answers 404. */
  metricsToken: string | undefined;
  argon2MemoryKib: number | undefined;
  argon2TimeCost: number | undefined;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /** PostgreSQL startup options appended after ours (libpq's PGOPTIONS). */
  pgOptions: string | undefined;
  /** Seconds into a code step during which the previous rotating code is still accepted. */
  codeGraceSeconds: number;
  /** Raw coordinates and device hashes older than this many days are erased; undefined = kept. */
  locationRetentionDays: number | undefined;
}

export interface HttpLimits {
  /** The request line and headers must arrive within this (slow-header clients, 408). */
  headersTimeoutMs: number;
  /** Headers and body must arrive within this (slow-body clients, 408). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way is destroyed after this (0: never). */
  idleTimeoutMs: number;
  /** Connections one process accepts at once (0: no cap but the OS's file limit). */
  maxConnections: number;
}

/** Values shipped in examples; accepted in development, refused in production. */
const DEFAULT_SECRETS = new Set([
  '',
  'your-jwt-secret-key-here',
  'your-super-secret-key-here',
  'your-jwt-secret-key-for-tokens',
  'your-super-secret-key-for-flask-sessions',
  'change-me',
  'secret',
]);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

export interface LiveLimits {
  /** SSE_MAX_PER_USER: streams one user may hold open (across processes with REDIS_URL: stream-slots.ts). */
  maxPerUser: number;
  /** SSE_MAX_PER_PROCESS: streams one process holds at most (each costs a socket and some memory). */
  maxPerProcess: number;
  /** SSE_HEARTBEAT_SECONDS: a comment line this often keeps proxies from closing an idle stream. */
  heartbeatSeconds: number;
  /** SSE_MAX_BUFFER_BYTES: unsent bytes a stream may hold before its reader counts as stalled and is dropped. */
  maxBufferBytes: number;
  /** LIVE_REDIS_CHANNEL: the pub/sub channel of live notices (deployments sharing one Redis pick their own). */
  redisChannel: string;
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer in [${min}, ${max}] (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };

  const nodeEnvRaw = str('NODE_ENV') ?? 'development';
  const nodeEnv = (['development', 'production', 'test'] as const).find((e) => e === nodeEnvRaw);
  if (!nodeEnv) problems.push(`NODE_ENV must be development, production or test (got "${nodeEnvRaw}")`);
  const production = nodeEnv === 'production';

  const secret = (name: string): string => {
    const v = str(name) ?? '';
    if (production && (DEFAULT_SECRETS.has(v) || v.length < 32)) {
      problems.push(`${name} must be set to a random value of at least 32 characters in production`);
    }
    // Outside production a missing secret gets a per-process random one: tokens die on restart,
    // which is the safe failure. Several workers share secrets only when they are configured.
    return v || randomBytes(32).toString('base64url');
  };

  const jwtMinutesFromHours = env.JWT_EXPIRY_MINUTES ? undefined : env.JWT_EXPIRY_HOURS;
  const jwtExpiryMinutes = jwtMinutesFromHours
    ? int('JWT_EXPIRY_HOURS', 1, 1, 24 * 30) * 60
    : int('JWT_EXPIRY_MINUTES', 15, 1, 60 * 24 * 30);

  const logLevel = str('LOG_LEVEL')?.toLowerCase() ?? (nodeEnv === 'test' ? 'silent' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`,
    );
  }

  const databaseUrl = str('DATABASE_URL') ?? 'sqlite:///instance/attendance.db';
  if (!/^(sqlite:|postgres(ql)?:\/\/|mysql:\/\/|mariadb:\/\/)/.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with sqlite:, postgres://, postgresql://, mysql:// or mariadb://');
  }

  const corsOrigins = (str('CORS_ORIGINS') ?? 'http://localhost:3000,http://127.0.0.1:3000')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of corsOrigins) {
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o))
      problems.push(`CORS_ORIGINS has an invalid origin "${o}"`);
  }

  const bootstrapAdminEmail = str('BOOTSTRAP_ADMIN_EMAIL')?.toLowerCase();
  if (bootstrapAdminEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(bootstrapAdminEmail)) {
    problems.push('BOOTSTRAP_ADMIN_EMAIL must be an email address');
  }

  const http: HttpLimits = {
    headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 1_000, 600_000),
    requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 60_000, 1_000, 3_600_000),
    keepAliveTimeoutMs: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 1_000, 600_000),
    idleTimeoutMs: int('HTTP_IDLE_TIMEOUT_MS', 180_000, 0, 3_600_000),
    maxConnections: int('HTTP_MAX_CONNECTIONS', 0, 0, 1_000_000),
  };
  // Node refuses a headers timeout longer than the request timeout (the request includes them).
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  const sqliteSynchronous = (str('SQLITE_SYNCHRONOUS') ?? 'FULL').toUpperCase();
  if (sqliteSynchronous !== 'FULL' && sqliteSynchronous !== 'NORMAL') {
    problems.push(`SQLITE_SYNCHRONOUS must be FULL or NORMAL (got "${sqliteSynchronous}")`);
  }
  const metricsToken = str('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters (it guards /metrics)');
  }
  const publicUrlRaw = str('PUBLIC_URL');
  const port = int('PORT', 5000, 0, 65535);
  let publicUrl = `http://localhost:${port}`;
  if (publicUrlRaw === undefined) {
    if (production)
      problems.push('PUBLIC_URL must be set in production (e.g. https://attendance.example.edu)');
  } else {
    let u: URL | undefined;
    try {
      u = new URL(publicUrlRaw);
    } catch {
      u = undefined;
    }
    if (!u || !/^https?:$/.test(u.protocol) || u.search || u.hash || u.username || u.password)
      problems.push(
        `PUBLIC_URL must be an http(s) URL without query, fragment or credentials (got "${publicUrlRaw}")`,
      );
    else publicUrl = `${u.origin}${u.pathname}`.replace(/\/+$/, '');
  }
  const retentionRaw = str('LOCATION_RETENTION_DAYS');
  const locationRetentionDays =
    retentionRaw === undefined ? undefined : int('LOCATION_RETENTION_DAYS', 0, 1, 36_500);
  const schedulerRaw = str('SCHEDULER_ENABLED')?.toLowerCase();
  if (schedulerRaw !== undefined && !['true', 'false'].includes(schedulerRaw))
    problems.push(`SCHEDULER_ENABLED must be true or false (got "${schedulerRaw}")`);
  const smtpUrl = str('SMTP_URL');
  if (smtpUrl && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl))
    problems.push('SMTP_URL must be smtp://… or smtps://…');

  const config: Config = {
    nodeEnv: nodeEnv ?? 'development',
    host: str('HOST') ?? '127.0.0.1',
    port,
    databaseUrl,
    jwtSecret: secret('JWT_SECRET_KEY'),
    secretKey: secret('SECRET_KEY'),
    jwtExpiryMinutes,
    sessionExpiryHours: int('SESSION_EXPIRY_HOURS', 24 * 7, 1, 24 * 365),
    defaultGeofenceRadius: int('DEFAULT_GEOFENCE_RADIUS', 100, 1, 50_000),
    maxLocationAccuracy: int('MAX_LOCATION_ACCURACY', 150, 1, 100_000),
    passwordMinLength: int('PASSWORD_MIN_LENGTH', 8, 6, 128),
    corsOrigins,
    logLevel,
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    trustProxy: str('TRUST_PROXY') === 'true',
    loginMaxPerAccount: int('LOGIN_MAX_PER_ACCOUNT', 50, 1, 10_000),
    loginMaxPerAccountIp: int('LOGIN_MAX_PER_ACCOUNT_IP', 10, 1, 10_000),
    loginKnownAddressDays: int('LOGIN_KNOWN_ADDRESS_DAYS', 30, 0, 365),
    loginMaxPerIp: int('LOGIN_MAX_PER_IP', 1000, 1, 1_000_000),
    loginWindowSeconds: int('LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
    redisUrl: str('REDIS_URL'),
    webConcurrency: int('WEB_CONCURRENCY', 1, 1, 64),
    live: Object.freeze({
      maxPerUser: int('SSE_MAX_PER_USER', 5, 1, 1000),
      maxPerProcess: int('SSE_MAX_PER_PROCESS', 10_000, 1, 1_000_000),
      heartbeatSeconds: int('SSE_HEARTBEAT_SECONDS', 15, 1, 300),
      maxBufferBytes: int('SSE_MAX_BUFFER_BYTES', 256 * 1024, 4096, 64 * 1024 * 1024),
      redisChannel: str('LIVE_REDIS_CHANNEL') ?? 'attendance:live',
    }),
    bootstrapAdminEmail,
    bootstrapAdminPassword: str('BOOTSTRAP_ADMIN_PASSWORD'),
    http: Object.freeze(http),
    metricsToken,
    argon2MemoryKib: env.ARGON2_MEMORY_KIB ? int('ARGON2_MEMORY_KIB', 19_456, 1_024, 4_194_304) : undefined,
    argon2TimeCost: env.ARGON2_TIME_COST ? int('ARGON2_TIME_COST', 2, 1, 100) : undefined,
    sqliteSynchronous: sqliteSynchronous === 'NORMAL' ? 'NORMAL' : 'FULL',
    pgOptions: env.PGOPTIONS,
    publicUrl,
    refreshGraceSeconds: int('REFRESH_GRACE_SECONDS', 10, 0, 300),
    codeGraceSeconds: int('CODE_GRACE_SECONDS', 10, 0, 300),
    locationRetentionDays,
    // Off by default under test: each test drives the jobs it checks itself.
    schedulerEnabled: schedulerRaw ? schedulerRaw === 'true' : nodeEnv !== 'test',
    schedulerLeaseSeconds: int('SCHEDULER_LEASE_SECONDS', 30, 2, 3600),
    schedulerCloseIntervalSeconds: int('SCHEDULER_CLOSE_INTERVAL_SECONDS', 15, 1, 3600),
    outboxPollMs: int('OUTBOX_POLL_MS', 1000, 0, 3_600_000),
    outboxRetryHours: int('OUTBOX_RETRY_HOURS', 24, 1, 24 * 30),
    webhookAllowPrivate: str('WEBHOOK_ALLOW_PRIVATE') === 'true',
    smtpUrl,
    mailFrom: str('MAIL_FROM') ?? 'Attendance <no-reply@localhost>',
  };
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config);
}
