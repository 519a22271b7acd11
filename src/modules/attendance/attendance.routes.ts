import type { FastifyReply } from 'fastify';
import {
  errorResponses,
  JSON_TYPE,
  ok,
  okList,
  success,
  successList,
  successListJson,
} from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import { SessionIdParams } from '../sessions/sessions.schemas.js';
import {
  ActiveSessionSchema,
  CheckInBody,
  CheckOutBody,
  ForceCheckInBody,
  HistoryItemSchema,
  HistoryQuery,
  IdempotencyHeaders,
  PageQuery,
  RecordChangeSchema,
  RecordIdParams,
  RecordSchema,
  ReportSchema,
  SessionAttendanceItemSchema,
  UpdateRecordBody,
  UserIdParams,
} from './attendance.schemas.js';
import type { CheckInResult } from './checkin.service.js';
import type { AttendanceServices } from './index.js';
import { readCookie, SCAN_COOKIE } from './scan-tickets.js';

const tags = ['attendance'];

/** Idempotency-Keys of both check-in paths share one scope: they are one operation. */
export const CHECK_IN_IDEMPOTENCY = { idempotency: { scope: 'POST /attendance/check-in' } };

/** The HTTP face of a check-in: 201 for a new record, 200 when staff updated an existing one. */
export function sendCheckIn(reply: FastifyReply, out: CheckInResult) {
  const created = out.kind === 'checked_in' || out.created;
  return reply
    .status(created ? 201 : 200)
    .send(success(created ? 'Checked in' : 'Attendance updated', out.record));
}

export async function attendanceRoutes(app: App, { svc }: { svc: AttendanceServices }) {
  const anyone = app.auth();
  const staff = app.auth('teacher', 'admin', 'super_admin');

  app.post(
    '/check-in',
    {
      onRequest: anyone,
      config: CHECK_IN_IDEMPOTENCY,
      schema: {
        tags,
        summary: 'Check in to a session (expected attendees, inside the window and the geofence)',
        security: bearer,
        headers: IdempotencyHeaders,
        body: CheckInBody,
        response: {
          200: ok(RecordSchema),
          201: ok(RecordSchema),
          ...errorResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (req, reply) =>
      sendCheckIn(
        reply,
        await svc.checkIn.submit(req.actor, req.body, {
          scanNonce: readCookie(req.headers.cookie, SCAN_COOKIE),
        }),
      ),
  );

  app.post(
    '/check-out',
    {
      onRequest: anyone,
      schema: {
        tags,
        summary: 'Check out of your own record',
        security: bearer,
        body: CheckOutBody,
        response: { 200: ok(RecordSchema), ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req) => success('Checked out', await svc.checkIn.checkOut(req.actor, req.body)),
  );

  app.post(
    '/force-check-in',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Mark a user without window or geofence checks; an existing record is updated (200)',
        security: bearer,
        body: ForceCheckInBody,
        response: {
          200: ok(RecordSchema),
          201: ok(RecordSchema),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (req, reply) =>
      sendCheckIn(reply, { kind: 'marked', ...(await svc.overrides.forceCheckIn(req.actor, req.body)) }),
  );

  app.put(
    '/records/:record_id',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Correct a record (status, notes); the change is kept in its history',
        security: bearer,
        params: RecordIdParams,
        body: UpdateRecordBody,
        response: { 200: ok(RecordSchema), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) =>
      success('Attendance corrected', await svc.overrides.correct(req.actor, req.params.record_id, req.body)),
  );

  app.get(
    '/records/:record_id/history',
    {
      onRequest: anyone,
      schema: {
        tags,
        summary: 'Changes of a record, oldest first (staff, and the record’s owner)',
        security: bearer,
        params: RecordIdParams,
        querystring: PageQuery,
        response: { 200: okList(RecordChangeSchema), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => {
      const { items, pagination } = await svc.overrides.history(req.actor, req.params.record_id, req.query);
      return successList('Record history', items, pagination);
    },
  );

  app.get(
    '/my-history',
    {
      onRequest: anyone,
      schema: {
        tags,
        summary: 'Your records with their sessions, newest first',
        security: bearer,
        querystring: HistoryQuery,
        response: { 200: okList(HistoryItemSchema), ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const { items, pagination } = await svc.reads.myHistory(req.actor, req.query);
      return successList('Attendance history', items, pagination);
    },
  );

  app.get(
    '/user/:user_id/history',
    {
      onRequest: anyone,
      schema: {
        tags,
        summary: 'A user’s records (yourself, or staff of the user’s organization)',
        security: bearer,
        params: UserIdParams,
        querystring: HistoryQuery,
        response: { 200: okList(HistoryItemSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { items, pagination } = await svc.reads.userHistory(req.actor, req.params.user_id, req.query);
      return successList('Attendance history', items, pagination);
    },
  );

  app.get(
    '/active-sessions',
    {
      onRequest: anyone,
      schema: {
        tags,
        summary: 'Sessions open for check-in now (for a student: those they are expected at)',
        security: bearer,
        querystring: PageQuery,
        response: { 200: okList(ActiveSessionSchema), ...errorResponses(400, 401) },
      },
    },
    async (req, reply) => {
      const out = await svc.reads.activeSessions(req.actor, req.query);
      // SQLite's cache hands out the items as JSON already (open-sessions-cache.ts).
      if (out.itemsJson !== undefined) {
        const body = successListJson('Active sessions', out.itemsJson, out.pagination);
        // A string is sent as it is (the type provider knows only the object form of this schema).
        return reply.type(JSON_TYPE).send(body as never);
      }
      return successList('Active sessions', out.items, out.pagination);
    },
  );

  app.get(
    '/session/:session_id/attendance',
    {
      onRequest: staff,
      schema: sessionAttendanceSchema,
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

  app.get(
    '/session/:session_id/report',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Counts by status, expected attendees and rate (closes an ended session first)',
        security: bearer,
        params: SessionIdParams,
        response: { 200: ok(ReportSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Session report', await svc.reads.report(req.actor, req.params.session_id)),
  );
}

/** Shared with the seed's GET /session/{id}/attendance. */
export const sessionAttendanceSchema = {
  tags,
  summary: 'Records of a session with their users (staff)',
  security: bearer,
  params: SessionIdParams,
  querystring: PageQuery,
  response: { 200: okList(SessionAttendanceItemSchema), ...errorResponses(400, 401, 403, 404) },
};
