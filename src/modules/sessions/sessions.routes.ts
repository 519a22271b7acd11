import { errorResponses, ok, okList, success, successList } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import {
  CloseResultSchema,
  CreateSessionBody,
  ListSessionsQuery,
  SessionIdParams,
  SessionSchema,
  UpdateSessionBody,
} from './sessions.schemas.js';
import type { SessionsService } from './sessions.service.js';

const tags = ['sessions'];

export async function sessionsRoutes(app: App, { sessions }: { sessions: SessionsService }) {
  const staff = app.auth('teacher', 'admin', 'super_admin');

  app.post(
    '',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Create an attendance session (naive times are read in the org’s time zone)',
        security: bearer,
        body: CreateSessionBody,
        response: { 201: ok(SessionSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(success('Session created', await sessions.create(req.actor, req.body))),
  );

  app.get(
    '',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'List the organization’s sessions (newest start first)',
        security: bearer,
        querystring: ListSessionsQuery,
        response: { 200: okList(SessionSchema), ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      const { items, pagination } = await sessions.list(req.actor, req.query);
      return successList('Sessions', items, pagination);
    },
  );

  app.get(
    '/:session_id',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Read a session',
        security: bearer,
        params: SessionIdParams,
        response: { 200: ok(SessionSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Session', await sessions.get(req.actor, req.params.session_id)),
  );

  app.put(
    '/:session_id',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Update a session (its creator, or an admin)',
        security: bearer,
        params: SessionIdParams,
        body: UpdateSessionBody,
        response: { 200: ok(SessionSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) =>
      success('Session updated', await sessions.update(req.actor, req.params.session_id, req.body)),
  );

  app.delete(
    '/:session_id',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Cancel a session (is_active=false); its records are kept',
        security: bearer,
        params: SessionIdParams,
        response: { 200: ok(SessionSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => success('Session cancelled', await sessions.cancel(req.actor, req.params.session_id)),
  );

  app.post(
    '/:session_id/close',
    {
      onRequest: staff,
      schema: {
        tags,
        summary: 'Close a session now: every expected attendee without a record is marked absent',
        security: bearer,
        params: SessionIdParams,
        response: { 200: ok(CloseResultSchema), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => success('Session closed', await sessions.close(req.actor, req.params.session_id)),
  );
}
