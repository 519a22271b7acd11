import { sql } from 'kysely';
import Type from 'typebox';
import type { Db } from '../../db/types.js';
import type { App } from '../../lib/http.js';

const Health = Type.Object({
  success: Type.Boolean(),
  message: Type.String(),
  data: Type.Object({
    status: Type.Enum(['ok', 'degraded']),
    version: Type.String(),
    database: Type.Enum(['ok', 'unavailable']),
    dialect: Type.String(),
    uptime_s: Type.Number(),
  }),
});

export async function healthRoutes(app: App, opts: { db: Db; dialect: string; version: string }) {
  const started = Date.now();
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and database reachability',
        response: { 200: Health, 503: Health },
      },
    },
    async (_req, reply) => {
      const dbOk = await sql`select 1 as one`.execute(opts.db).then(
        () => true,
        () => false,
      );
      const data = {
        status: dbOk ? ('ok' as const) : ('degraded' as const),
        version: opts.version,
        database: dbOk ? ('ok' as const) : ('unavailable' as const),
        dialect: opts.dialect,
        uptime_s: Math.round((Date.now() - started) / 1000),
      };
      return reply
        .status(dbOk ? 200 : 503)
        .send({ success: dbOk, message: dbOk ? 'Service is healthy' : 'Database unavailable', data });
    },
  );
}
