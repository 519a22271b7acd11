/**
 * Check-in integrity routes (API.md Part 2): the scan without login, the review queue and decision,
 * and the code a session shows (under /admin/sessions, registered by this module because the code
 * is attendance's).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, ok, okList, success, successList } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import { SessionIdParams } from '../sessions/sessions.schemas.js';
import {
  CodeSchema,
  RecordIdParams,
  RecordSchema,
  ReviewDecisionBody,
  ReviewItemSchema,
  ReviewQuery,
  ScanBody,
  ScanResultSchema,
} from './attendance.schemas.js';
import type { AttendanceServices } from './index.js';
import { scanCookie } from './scan-tickets.js';

export async function integrityRoutes(
  app: App,
  { svc, secureCookies }: { svc: AttendanceServices; secureCookies: boolean },
) {
  const anyone = app.auth();
  const staff = app.auth('teacher', 'admin', 'super_admin');
  /** A token is optional on the scan: when one is sent it must be valid, and it binds the ticket. */
  const optionalAuth = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.headers.authorization !== undefined) await anyone(req, reply);
  };

  app.post(
    '/attendance/scan',
    {
      onRequest: optionalAuth,
      schema: {
        tags: ['attendance'],
        summary:
          'Trade a scanned rotating code for a scan ticket (120 s); no login needed. Without a token the ticket is bound to an HttpOnly cookie',
        security: [{}, { bearerAuth: [] }],
        body: ScanBody,
        response: { 200: ok(ScanResultSchema), ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (req, reply) => {
      const { nonce, ...ticket } = await svc.codes.scan(req.actor ?? null, req.body, req.ip);
      if (nonce) reply.header('set-cookie', scanCookie(nonce, secureCookies));
      return success('Code accepted; check in within 120 s', ticket);
    },
  );

  app.get(
    '/attendance/review',
    {
      onRequest: staff,
      schema: {
        tags: ['attendance'],
        summary:
          'Flagged check-ins awaiting review (state=pending by default), with user, flags and figures (the session’s teachers, admins; teachers name the session)',
        security: bearer,
        querystring: ReviewQuery,
        response: { 200: okList(ReviewItemSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { items, pagination } = await svc.review.list(req.actor, req.query);
      return successList('Review queue', items, pagination);
    },
  );

  app.post(
    '/attendance/records/:record_id/review',
    {
      onRequest: staff,
      schema: {
        tags: ['attendance'],
        summary:
          'Decide a flagged check-in: accept keeps the status, reject sets absent (history + audit log)',
        security: bearer,
        params: RecordIdParams,
        body: ReviewDecisionBody,
        response: { 200: ok(RecordSchema), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) =>
      success('Review recorded', await svc.review.decide(req.actor, req.params.record_id, req.body)),
  );

  app.get(
    '/admin/sessions/:session_id/code',
    {
      onRequest: staff,
      schema: {
        tags: ['sessions'],
        summary:
          'The code to show now (rotating: changes every period; static: fixed) and the QR content; the session’s teachers and admins; 409 for code_mode none',
        security: bearer,
        params: SessionIdParams,
        response: { 200: ok(CodeSchema), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      // The code changes every step: no cache may keep it.
      reply.header('cache-control', 'no-store');
      return success('Check-in code', await svc.codes.show(req.actor, req.params.session_id));
    },
  );
}
