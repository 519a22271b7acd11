import Type from 'typebox';
import { errorResponses, ok, success } from '../../lib/envelope.js';
import { type App, bearer, clientInfo } from '../../lib/http.js';
import { Nullable, Uuid } from '../../lib/strings.js';
import type { AdminService } from './admin.service.js';

const tags = ['admin'];
const Rate = Type.Union([Type.Number(), Type.Null()]);
const RoleCounts = Type.Object({ active: Type.Integer(), inactive: Type.Integer(), total: Type.Integer() });
const DashboardSchema = Type.Object({
  org_id: Type.String(),
  timezone: Type.String(),
  users: Type.Record(Type.String(), RoleCounts),
  sessions: Type.Object({ today: Type.Integer(), open_now: Type.Integer() }),
  check_ins_today: Type.Integer(),
  attendance_rate_7d: Rate,
  attendance_rate_30d: Rate,
  next_sessions: Type.Array(
    Type.Object({
      session_id: Type.String(),
      session_name: Type.String(),
      start_time: Type.String({ format: 'date-time' }),
      end_time: Type.String({ format: 'date-time' }),
      group_id: Nullable(Type.String()),
    }),
  ),
});

export async function adminRoutes(app: App, { admin }: { admin: AdminService }) {
  const guard = app.auth('admin', 'super_admin');

  app.get(
    '/dashboard/stats',
    {
      onRequest: app.auth('teacher', 'admin', 'super_admin'),
      schema: {
        tags,
        summary:
          'Users by role, sessions today and open now, check-ins today, 7- and 30-day rates, next sessions',
        description: 'Teachers and admins see their own organization; a super_admin names one with org_id.',
        security: bearer,
        querystring: Type.Object({ org_id: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: { 200: ok(DashboardSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Dashboard statistics', await admin.dashboard(req.actor, req.query)),
  );

  app.post(
    '/maintenance/cleanup-sessions',
    {
      onRequest: guard,
      schema: {
        tags,
        summary: 'Delete login sessions that expired or were revoked more than N days ago',
        security: bearer,
        body: Type.Object(
          { older_than_days: Type.Integer({ minimum: 0, maximum: 3650 }) },
          { additionalProperties: false },
        ),
        response: {
          200: ok(
            Type.Object({
              deleted: Type.Integer(),
              idempotency_keys_deleted: Type.Integer({
                description: 'super_admin only: idempotency keys older than a day',
              }),
            }),
          ),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (req) =>
      success(
        'Stale sessions deleted',
        await admin.cleanupSessions(req.actor, req.body.older_than_days, clientInfo(req).ip),
      ),
  );
}
