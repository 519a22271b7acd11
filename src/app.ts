/** Builds the Fastify instance: plugins, modules, error and 404 handlers. No listening here (see server.ts). */
import { readFileSync } from 'node:fs';
import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyReply } from 'fastify';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/connection.js';
import { type ChangeBus, createChangeBus } from './lib/change-events.js';
import { ErrorEnvelope } from './lib/envelope.js';
import { newRequestId } from './lib/ids.js';
import { createJobRegistry } from './lib/jobs.js';
import { registerOutboxDepth } from './lib/metrics.js';
import { createPasswordHasher, type PasswordHasher } from './lib/passwords.js';
import { createMemoryStore, type RateLimitStore } from './lib/rate-limiter.js';
import { adminRoutes } from './modules/admin/admin.routes.js';
import { createAdminService } from './modules/admin/admin.service.js';
import { cleanupJob } from './modules/admin/maintenance.jobs.js';
import { createAttendanceForReports } from './modules/attendance/for-reports.js';
import { createRecordWriter, registerAttendanceModule } from './modules/attendance/index.js';
import { registerAuditModule } from './modules/audit/index.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { createTokenService } from './modules/auth/tokens.js';
import { registerCalendarModule } from './modules/calendar/index.js';
import type { ModuleDeps } from './modules/deps.js';
import { createMailer } from './modules/email/mailer.js';
import { registerGroupsModule } from './modules/groups/index.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { jobsRoutes } from './modules/jobs/jobs.routes.js';
import { createJobsService, type JobsService } from './modules/jobs/jobs.service.js';
import { type LiveOptions, registerLiveModule } from './modules/live/index.js';
import { registerOrganizationsModule } from './modules/organizations/index.js';
import { outboxJob } from './modules/outbox/outbox.job.js';
import { createOutbox, type Outbox } from './modules/outbox/outbox.js';
import { createExportService } from './modules/reports/export.service.js';
import { reportsRoutes } from './modules/reports/reports.routes.js';
import { createReportsService } from './modules/reports/reports.service.js';
import { createScheduler, type Scheduler } from './modules/scheduler/scheduler.js';
import { registerSeriesModule } from './modules/series/index.js';
import { registerSessionsModule } from './modules/sessions/index.js';
import { registerUsersModule } from './modules/users/index.js';
import { registerWarningsModule } from './modules/warnings/index.js';
import { registerWebhooksModule } from './modules/webhooks/index.js';
import { installAuthenticate } from './plugins/authenticate.js';
import { installDocs } from './plugins/docs.js';
import { installErrorHandler } from './plugins/error-handler.js';
import { installIdempotency } from './plugins/idempotency.js';
import { hasBearer, installMetrics } from './plugins/metrics.js';
import { loggerOptions, OneLinePerResponse } from './plugins/request-log.js';
import { installSecurityHeaders } from './plugins/security-headers.js';
import { installValidators } from './plugins/validation.js';
import { installWebApp } from './plugins/web-app.js';

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
  /** The change bus (src/lib/change-events.ts); tests pass one to subscribe. */
  changes?: ChangeBus;
  /** Live feed timings (src/modules/live/index.ts): tests shorten them. */
  live?: LiveOptions;
  /** Where log lines go (default stdout); tests read them. */
  logStream?: { write(line: string): void };
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(opts: AppOptions) {
  const { config, database } = opts;
  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(config.logLevel, opts.logStream),
    // One line per response instead of Fastify's two (src/plugins/request-log.ts).
    logController: new OneLinePerResponse(),
    bodyLimit: config.bodyLimitBytes,
    // Slow clients (README "Server timeouts and connection caps"): Node answers 408 and closes a
    // connection whose headers (or whole request) have not arrived in time. Node checks those two
    // deadlines on an interval (30 s by default), so a 10 s limit would hold up to 40 s: check each second.
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    connectionTimeout: config.http.idleTimeoutMs,
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

  if (config.http.maxConnections > 0) app.server.maxConnections = config.http.maxConnections;
  installValidators(app, { passwordMinLength: config.passwordMinLength });
  installErrorHandler(app);
  app.addSchema(ErrorEnvelope);
  installSecurityHeaders(app);
  // Before any route: its timing hooks must see them all.
  installMetrics(app, { token: config.metricsToken, database });
  // Bulk user import accepts text/csv; every other body must be JSON (text/plain included: 415).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Clients written for the original send Content-Type: application/json on body-less requests
  // (logout, close, DELETE): an empty body is no body, never a 400 (issue 16.1: a 400 on logout
  // left the session alive while the client believed it had logged out). Routes that need a body
  // still refuse its absence through their schema. Non-empty bodies go through Fastify's own parser
  // (prototype-poisoning protection included).
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    body === '' ? done(null, undefined) : jsonParser(req, body as string, done),
  );

  // Every method the API uses and every request header it reads (API.md, "Clients written for the
  // original" and "Web app"). Credentials are never allowed: the API authenticates with the
  // Authorization header, and the refresh cookie is only for the app's own origin.
  await app.register(cors, {
    origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
    // Never credentials (API.md Part 2): the refresh cookie must not ride on a cross-origin request.
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'Idempotency-Key',
      'X-Auth-Cookie',
      'X-Request-Id',
      'Prefer',
      'Last-Event-ID',
    ],
    exposedHeaders: ['Retry-After', 'Content-Disposition', 'X-Request-Id'],
    maxAge: 600,
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
      memoryKib: config.argon2MemoryKib,
      timeCost: config.argon2TimeCost,
    });
  const limits = opts.limits ?? createMemoryStore();
  installAuthenticate(app, { db, tokens, sessionGuard: database.sessionGuard });
  installIdempotency(app, { db, secretKey: config.secretKey });

  const changes =
    opts.changes ?? createChangeBus((err) => app.log.error({ err }, 'change subscriber failed'));
  const auth = createAuthService({ db, config, hasher, tokens, limits, changes });

  await app.register(healthRoutes, {
    db,
    dialect: database.dialect,
    version: VERSION,
    isOperator: (request) => hasBearer(request, config.metricsToken),
  });
  await app.register(authRoutes, { prefix: '/auth', auth, config });
  const jobs = createJobRegistry();
  const deps: ModuleDeps = {
    db,
    dialect: database.dialect,
    config,
    hasher,
    limits,
    changes,
    jobs,
    openSessionsGuard: database.openSessionsGuard,
  };
  const outbox = createOutbox({
    db,
    dialect: database.dialect,
    retryWindowMs: config.outboxRetryHours * 3_600_000,
    onError: (err, row) => app.log.error({ err, message_id: row?.message_id }, 'outbox delivery failed'),
  });
  outbox.subscribe(changes);
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
  outbox.deliverer('email', mailer.deliver);
  app.decorate('outbox', outbox);
  const unregisterOutboxDepth = registerOutboxDepth(() => outbox.depth());
  app.addHook('onClose', async () => unregisterOutboxDepth());
  // The scheduler below runs it in one process at a time (OUTBOX_POLL_MS=0: no worker here).
  if (config.outboxPollMs > 0) jobs.register(outboxJob(outbox, config.outboxPollMs));
  await registerOrganizationsModule(app, deps);
  // Background jobs started by a request (bulk import), not to be confused with the scheduler's jobs.
  const importJobs = createJobsService({ db, onError: (err) => app.log.error({ err }, 'job failed') });
  app.decorate('jobs', importJobs);
  await registerUsersModule(app, deps, importJobs);
  await app.register(jobsRoutes, { prefix: '/admin/jobs', jobs: importJobs });
  // Jobs whose process died are reported failed, not left "running" for ever.
  app.addHook('onReady', async () => importJobs.failStale(Date.now()));
  app.addHook('onClose', async () => void (await importJobs.drain()));
  await registerGroupsModule(app, deps);
  // The one writer of attendance records: check-in, overrides, review, check-out and session close.
  const writer = createRecordWriter(deps);
  const sessions = await registerSessionsModule(app, { ...deps, closeSession: writer.closeSession });
  await registerSeriesModule(app, {
    ...deps,
    cancelSession: (actor, id) => sessions.cancel(actor, id, { accessChecked: true }),
  });
  await registerCalendarModule(app, deps);
  await registerAttendanceModule(app, { ...deps, writer });
  await registerAuditModule(app, deps);
  // After the outbox subscribed to the change bus: the live counter must be the transaction's last lock.
  await registerLiveModule(app, deps, opts.live);
  await registerWebhooksModule(app, deps, outbox);
  await registerWarningsModule(app, deps, outbox);

  const attendanceForReports = createAttendanceForReports(db, writer);
  const reports = createReportsService({ db, attendance: attendanceForReports });
  await app.register(reportsRoutes, {
    prefix: '/reports',
    reports,
    exports: createExportService({ db, reports }),
  });
  await app.register(adminRoutes, {
    prefix: '/admin',
    admin: createAdminService({ db, reports }),
  });
  jobs.register(cleanupJob(db));

  // Every process runs the scheduler; a lease row per job elects the one that runs it.
  const scheduler = createScheduler({
    db,
    jobs,
    leaseMs: config.schedulerLeaseSeconds * 1000,
    log: app.log,
  });
  app.decorate('scheduler', scheduler);
  if (config.schedulerEnabled) app.addHook('onReady', async () => scheduler.start());
  app.addHook('onClose', async () => {
    await scheduler.stop(); // waits for an outbox run in flight before the mailer closes
    mailer.close();
  });

  await installWebApp(app);

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

declare module 'fastify' {
  interface FastifyInstance {
    /** The job runner (src/modules/scheduler); tests run a job with `app.scheduler.runNow(name)`. */
    scheduler: Scheduler;
  }
}
