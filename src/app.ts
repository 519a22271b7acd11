/** Builds the Fastify instance: plugins, modules, error and 404 handlers. No listening here (see server.ts). */
import { readFileSync } from 'node:fs';
import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyReply } from 'fastify';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/connection.js';
import { createChangeBus } from './lib/change-events.js';
import { ErrorEnvelope } from './lib/envelope.js';
import { newRequestId } from './lib/ids.js';
import { createPasswordHasher, type PasswordHasher } from './lib/passwords.js';
import { createMemoryStore, type RateLimitStore } from './lib/rate-limiter.js';
import { adminRoutes } from './modules/admin/admin.routes.js';
import { createAdminService } from './modules/admin/admin.service.js';
import { createAttendanceForReports } from './modules/attendance/for-reports.js';
import { registerAttendanceModule } from './modules/attendance/index.js';
import { registerAuditModule } from './modules/audit/index.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { createTokenService } from './modules/auth/tokens.js';
import type { ModuleDeps } from './modules/deps.js';
import { createMailer } from './modules/email/mailer.js';
import { registerGroupsModule } from './modules/groups/index.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { jobsRoutes } from './modules/jobs/jobs.routes.js';
import { createJobsService, type JobsService } from './modules/jobs/jobs.service.js';
import { registerOrganizationsModule } from './modules/organizations/index.js';
import { createOutbox, type Outbox } from './modules/outbox/outbox.js';
import { createExportService } from './modules/reports/export.service.js';
import { reportsRoutes } from './modules/reports/reports.routes.js';
import { createReportsService } from './modules/reports/reports.service.js';
import { registerSessionsModule } from './modules/sessions/index.js';
import { registerUsersModule } from './modules/users/index.js';
import { registerWarningsModule } from './modules/warnings/index.js';
import { registerWebhooksModule } from './modules/webhooks/index.js';
import { installAuthenticate } from './plugins/authenticate.js';
import { installDocs } from './plugins/docs.js';
import { installErrorHandler } from './plugins/error-handler.js';
import { installSecurityHeaders } from './plugins/security-headers.js';
import { installValidators } from './plugins/validation.js';

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

export interface AppOptions {
  config: Config;
  database: DatabaseHandle;
  /** Shared rate-limit counters (Redis) — defaults to this process's memory. */
  limits?: RateLimitStore;
  hasher?: PasswordHasher;
  logger?: boolean;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(opts: AppOptions) {
  const { config, database } = opts;
  const app = Fastify({
    logger:
      opts.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refresh_token'],
              censor: '[redacted]',
            },
            serializers: {
              // Paths only: a query string may carry something a client should not have put there.
              req: (req) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }),
            },
          },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID_RE.test(incoming) ? incoming : newRequestId();
    },
    ajv: { customOptions: { strictNumbers: true } },
    routerOptions: { maxParamLength: 200 },
    // Errors raised by the router before any hook runs (undecodable URL, over-long path parameter).
    frameworkErrors: (err, request, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      (reply as FastifyReply)
        .status(tooLong ? 414 : 400)
        .header('x-request-id', request.id)
        .send({
          success: false,
          message: tooLong ? 'A path parameter is too long' : 'The URL is not valid',
          error_code: tooLong ? 'URI_TOO_LONG' : 'VALIDATION_ERROR',
        });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installValidators(app);
  installErrorHandler(app);
  app.addSchema(ErrorEnvelope);
  installSecurityHeaders(app);
  // Bulk user import accepts text/csv; every other body must be JSON (text/plain included: 415).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  await app.register(cors, {
    origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
    credentials: !config.corsOrigins.includes('*'),
    exposedHeaders: ['x-request-id', 'retry-after', 'content-disposition'],
  });
  await installDocs(app, VERSION);

  const db = database.db;
  const tokens = createTokenService({
    jwtSecret: config.jwtSecret,
    secretKey: config.secretKey,
    accessTtlSeconds: config.jwtExpiryMinutes * 60,
  });
  const hasher =
    opts.hasher ??
    createPasswordHasher({
      memoryKib: Number(process.env.ARGON2_MEMORY_KIB) || undefined,
      timeCost: Number(process.env.ARGON2_TIME_COST) || undefined,
    });
  const limits = opts.limits ?? createMemoryStore();
  installAuthenticate(app, { db, tokens });

  const auth = createAuthService({ db, config, hasher, tokens, limits });

  await app.register(healthRoutes, { db, dialect: database.dialect, version: VERSION });
  await app.register(authRoutes, { prefix: '/auth', auth });
  const changes = createChangeBus((err) => app.log.error({ err }, 'change subscriber failed'));
  const deps: ModuleDeps = { db, dialect: database.dialect, config, hasher, limits, changes };
  const outbox = createOutbox({
    db,
    retryWindowMs: config.outboxRetryHours * 3_600_000,
    onError: (err, row) => app.log.error({ err, message_id: row?.message_id }, 'outbox delivery failed'),
  });
  outbox.subscribe(changes);
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
  outbox.deliverer('email', mailer.deliver);
  app.decorate('outbox', outbox);
  // The scheduler (lease-elected jobs) will own this loop; until then each process polls, and the
  // row claim keeps two processes from sending one message twice at the same time.
  app.addHook('onReady', async () => outbox.start(config.outboxPollMs));
  app.addHook('onClose', async () => {
    await outbox.stop();
    mailer.close();
  });
  await registerOrganizationsModule(app, deps);
  const jobs = createJobsService({ db, onError: (err) => app.log.error({ err }, 'job failed') });
  app.decorate('jobs', jobs);
  await registerUsersModule(app, deps, jobs);
  await app.register(jobsRoutes, { prefix: '/admin/jobs', jobs });
  // Jobs whose process died are reported failed, not left "running" for ever.
  app.addHook('onReady', async () => jobs.failStale(Date.now()));
  app.addHook('onClose', async () => void (await jobs.drain()));
  await registerGroupsModule(app, deps);
  await registerSessionsModule(app, deps);
  await registerAttendanceModule(app, deps);
  await registerAuditModule(app, deps);
  await registerWebhooksModule(app, deps, outbox);
  await registerWarningsModule(app, deps, outbox);

  const attendanceForReports = createAttendanceForReports(db, database.dialect);
  const reports = createReportsService({ db, attendance: attendanceForReports });
  await app.register(reportsRoutes, {
    prefix: '/reports',
    reports,
    exports: createExportService({ db, reports, attendance: attendanceForReports }),
  });
  await app.register(adminRoutes, {
    prefix: '/admin',
    admin: createAdminService({ db, reports, attendance: attendanceForReports }),
  });

  return app;
}
declare module 'fastify' {
  interface FastifyInstance {
    /** The outbox worker (tests drive `deliverDue`; metrics read `depth`). */
    outbox: Outbox;
    /** Background jobs of this process (tests wait with `drain`). */
    jobs: JobsService;
  }
}

export type AppInstance = Awaited<ReturnType<typeof buildApp>>;
