/**
 * /health (the seed's, kept), /health/live (the process answers) and /health/ready (the database
 * answers and every migration is applied: a load balancer sends traffic only then).
 * The database dialect is shown only to the operator (the metrics token): anonymous callers
 * learn nothing about the stack.
 */
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import Type from 'typebox';
import { pendingMigrations } from '../../db/migrate.js';
import type { Db } from '../../db/types.js';
import type { App } from '../../lib/http.js';

const Health = Type.Object({
  success: Type.Boolean(),
  message: Type.String(),
  data: Type.Object({
    status: Type.Enum(['ok', 'degraded']),
    version: Type.String(),
    database: Type.Enum(['ok', 'unavailable']),
    dialect: Type.Optional(Type.String({ description: 'Only with the metrics token (operators)' })),
    uptime_s: Type.Number(),
  }),
});

const Live = Type.Object({
  success: Type.Boolean(),
  message: Type.String(),
  data: Type.Object({ status: Type.Literal('ok') }),
});

const Ready = Type.Object({
  success: Type.Boolean(),
  message: Type.String(),
  data: Type.Object({
    status: Type.Enum(['ready', 'not_ready']),
    database: Type.Enum(['ok', 'unavailable']),
    migrations: Type.Enum(['applied', 'pending', 'unknown']),
    pending_migrations: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
});

export interface HealthOptions {
  db: Db;
  dialect: string;
  version: string;
  /** Callers for whom the dialect is shown. */
  isOperator: (request: FastifyRequest) => boolean;
}

export async function healthRoutes(app: App, opts: HealthOptions) {
  const started = Date.now();
  const databaseAnswers = () =>
    sql`select 1 as one`.execute(opts.db).then(
      () => true,
      () => false,
    );

  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and database reachability',
        response: { 200: Health, 503: Health },
      },
    },
    async (request, reply) => {
      const dbOk = await databaseAnswers();
      const data = {
        status: dbOk ? ('ok' as const) : ('degraded' as const),
        version: opts.version,
        database: dbOk ? ('ok' as const) : ('unavailable' as const),
        ...(opts.isOperator(request) ? { dialect: opts.dialect } : {}),
        uptime_s: Math.round((Date.now() - started) / 1000),
      };
      return reply
        .status(dbOk ? 200 : 503)
        .send({ success: dbOk, message: dbOk ? 'Service is healthy' : 'Database unavailable', data });
    },
  );

  app.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        summary: 'The process answers (no database access: a restart would not help a database outage)',
        response: { 200: Live },
      },
    },
    async () => ({ success: true, message: 'Alive', data: { status: 'ok' as const } }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Ready for traffic: the database answers and every migration is applied',
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const dbOk = await databaseAnswers();
      const pending = dbOk ? await pendingMigrations({ db: opts.db }).catch(() => undefined) : undefined;
      const migrations = pending === undefined ? 'unknown' : pending.length ? 'pending' : 'applied';
      const ready = dbOk && migrations === 'applied';
      return reply.status(ready ? 200 : 503).send({
        success: ready,
        message: ready
          ? 'Ready'
          : !dbOk
            ? 'Database unavailable'
            : migrations === 'pending'
              ? 'Migrations are not applied (run npm run migrate, or start the server, which applies them)'
              : 'Could not read the migration state',
        data: {
          status: ready ? ('ready' as const) : ('not_ready' as const),
          database: dbOk ? ('ok' as const) : ('unavailable' as const),
          migrations,
          ...(pending?.length ? { pending_migrations: pending.length } : {}),
        },
      });
    },
  );
}
