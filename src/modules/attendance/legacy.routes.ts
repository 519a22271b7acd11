/**
 * The seed's backward-compatible paths, authenticated like everything else and served by the same
 * service functions as their /attendance twins.
 */
import { errorResponses, ok, successList } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import { CHECK_IN_IDEMPOTENCY, sendCheckIn, sessionAttendanceSchema } from './attendance.routes.js';
import { IdempotencyHeaders, LegacyCheckInBody, RecordSchema } from './attendance.schemas.js';
import type { AttendanceServices } from './index.js';

export async function legacyRoutes(app: App, { svc }: { svc: AttendanceServices }) {
  app.post(
    '/check-in',
    {
      onRequest: app.auth(),
      config: CHECK_IN_IDEMPOTENCY,
      schema: {
        tags: ['legacy'],
        summary: 'Same as POST /attendance/check-in; a user_id of someone else is a force check-in (staff)',
        security: bearer,
        headers: IdempotencyHeaders,
        body: LegacyCheckInBody,
        response: {
          200: ok(RecordSchema),
          201: ok(RecordSchema),
          ...errorResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (req, reply) => sendCheckIn(reply, await svc.checkIn.submit(req.actor, req.body)),
  );

  app.get(
    '/session/:session_id/attendance',
    {
      onRequest: app.auth('teacher', 'admin', 'super_admin'),
      schema: {
        ...sessionAttendanceSchema,
        tags: ['legacy'],
        summary: 'Same as GET /attendance/session/{id}/attendance',
      },
    },
    async (req) => {
      const { items, pagination } = await svc.reads.sessionAttendance(
        req.actor,
        req.params.session_id,
        req.query,
      );
      return successList('Session attendance', items, pagination);
    },
  );
}
