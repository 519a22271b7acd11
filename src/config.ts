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
  loginMaxPerAccount: number;
  loginMaxPerIp: number;
  loginWindowSeconds: number;
  redisUrl: string | undefined;
  webConcurrency: number;
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

  const smtpUrl = str('SMTP_URL');
  if (smtpUrl && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl))
    problems.push('SMTP_URL must be smtp://… or smtps://…');

  const config: Config = {
    nodeEnv: nodeEnv ?? 'development',
    host: str('HOST') ?? '127.0.0.1',
    port: int('PORT', 5000, 0, 65535),
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
    loginMaxPerAccount: int('LOGIN_MAX_PER_ACCOUNT', 10, 1, 10_000),
    loginMaxPerIp: int('LOGIN_MAX_PER_IP', 1000, 1, 1_000_000),
    loginWindowSeconds: int('LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
    redisUrl: str('REDIS_URL'),
    webConcurrency: int('WEB_CONCURRENCY', 1, 1, 64),
    bootstrapAdminEmail,
    bootstrapAdminPassword: str('BOOTSTRAP_ADMIN_PASSWORD'),
    outboxPollMs: int('OUTBOX_POLL_MS', 1000, 0, 3_600_000),
    outboxRetryHours: int('OUTBOX_RETRY_HOURS', 24, 1, 24 * 30),
    webhookAllowPrivate: str('WEBHOOK_ALLOW_PRIVATE') === 'true',
    smtpUrl,
    mailFrom: str('MAIL_FROM') ?? 'Attendance <no-reply@localhost>',
  };
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config);
}
