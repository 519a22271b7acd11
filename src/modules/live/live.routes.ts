/**
 * GET /attendance/session/{session_id}/live (Server-Sent Events) and POST /auth/stream-ticket.
 * Every refusal (401, 403, 404, 429) is thrown before the first byte, so it is the JSON envelope
 * with the usual headers; only an accepted request becomes a stream. The stream is a PassThrough
 * given to reply.send, so Fastify's hooks still run (CORS and security headers, the request log
 * and the route-template metrics when the stream ends).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, ok, success } from '../../lib/envelope.js';
import { rateLimited, unauthorized } from '../../lib/errors.js';
import { type App, bearer } from '../../lib/http.js';
import type { Actor } from '../../lib/tenancy.js';
import { toIso } from '../../lib/time.js';
import { SessionIdParams } from '../sessions/sessions.schemas.js';
import {
  LIVE_DESCRIPTION,
  LiveHeaders,
  LiveQuery,
  StreamTicketBody,
  StreamTicketSchema,
} from './live.schemas.js';
import type { LiveService } from './live.service.js';
import { type LiveHub, LiveStream, sseEvent } from './live-hub.js';
import { issueStreamTicket, readStreamTicket } from './stream-tickets.js';

export interface LiveRouteDeps {
  live: LiveService;
  hub: LiveHub;
  secretKey: string;
  maxPerUser: number;
  maxPerProcess: number;
  maxBufferBytes: number;
  /** The code body for `?code=1` (GET …/code); throws when the session has none. */
  code: (actor: Actor, sessionId: string) => Promise<{ expires_at: string | null }>;
}

/** Browsers reconnect after this many ms when a stream ends (sent as `retry:`). */
const RETRY_MS = 3000;

export async function liveRoutes(app: App, deps: LiveRouteDeps) {
  const { live, hub } = deps;
  const bearerAuth = app.auth();

  /** `?ticket=` (EventSource) or the Authorization header. */
  const streamAuth = async (req: FastifyRequest, reply: FastifyReply) => {
    const q = req.query as { ticket?: unknown };
    const params = req.params as { session_id?: string };
    if (q.ticket === undefined) return bearerAuth(req, reply);
    const claims =
      typeof q.ticket === 'string'
        ? readStreamTicket(deps.secretKey, q.ticket, { sessionId: params.session_id ?? '', now: Date.now() })
        : null;
    const actor = claims ? await app.actorOf(claims.l, claims.u) : null;
    if (!actor) throw unauthorized('Invalid or expired stream ticket');
    req.actor = actor;
  };

  app.get(
    '/attendance/session/:session_id/live',
    {
      onRequest: streamAuth,
      schema: {
        tags: ['attendance'],
        summary: "A session's live feed (Server-Sent Events): its teachers and the org's admins",
        description: LIVE_DESCRIPTION,
        security: [{ bearerAuth: [] }, {}],
        params: SessionIdParams,
        querystring: LiveQuery,
        headers: LiveHeaders,
        response: {
          200: {
            description: 'An event stream that stays open',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (req, reply) => {
      const actor = req.actor;
      const sessionId = req.params.session_id;
      await live.access(actor, sessionId);
      if (hub.streams.size >= deps.maxPerProcess) throw rateLimited(5);
      const stream = new LiveStream(hub, actor, sessionId, reply.raw, deps.maxBufferBytes);
      if (!(await hub.admit(stream, deps.maxPerUser))) throw rateLimited(5);
      hub.add(stream);
      // A stream is quiet between events: the idle timeout (HTTP_IDLE_TIMEOUT_MS) must not cut it.
      // The heartbeat keeps proxies open; a dead peer is found when a write fails.
      const socket = req.raw.socket as { setTimeout?: (ms: number) => void } | undefined;
      if (typeof socket?.setTimeout === 'function') socket.setTimeout(0); // (app.inject has a fake socket)
      const header = req.headers['last-event-id'];
      const lastEventId = typeof header === 'string' ? header : req.query.last_event_id;
      // The first bytes flush the headers at once (a client sees "open" before any event).
      stream.write(`retry: ${RETRY_MS}\n: connected\n\n`);
      void hub.open(stream, lastEventId).then(() => {
        if (req.query.code === '1') startCodes(stream, actor, sessionId);
      });
      return (
        reply
          .type('text/event-stream; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('x-accel-buffering', 'no')
          // When the stream ends (revocation, shutdown) the connection goes too: a keep-alive socket
          // left idle after it would hold a graceful shutdown until the keep-alive timeout.
          .header('connection', 'close')
          // The 200 schema documents the text/event-stream; what is sent is the stream itself.
          .send(stream.body as unknown as string)
      );
    },
  );

  /** `code` events: one now, then one at each new step (a static code: once). Never stored. */
  function startCodes(stream: LiveStream, actor: Actor, sessionId: string) {
    const tick = async () => {
      if (stream.closed) return;
      let body: { expires_at: string | null };
      try {
        body = await deps.code(actor, sessionId);
      } catch {
        return; // code_mode none (or the session went away): no code events
      }
      if (!stream.write(sseEvent('code', body))) return;
      if (body.expires_at === null) return;
      const wait = Math.max(50, Date.parse(body.expires_at) - Date.now() + 5);
      const t = setTimeout(() => void tick(), wait);
      t.unref();
      stream.codeTimer = t;
    };
    void tick();
  }

  app.post(
    '/auth/stream-ticket',
    {
      onRequest: bearerAuth,
      schema: {
        tags: ['auth'],
        summary: 'A 60 s ticket for the live feed of one session (EventSource cannot send headers)',
        security: bearer,
        body: StreamTicketBody,
        response: { 201: ok(StreamTicketSchema), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await live.access(req.actor, req.body.session_id);
      const { ticket, expiresAt } = issueStreamTicket(
        deps.secretKey,
        { sessionId: req.body.session_id, userId: req.actor.userId, loginSessionId: req.actor.sessionId },
        Date.now(),
      );
      return reply
        .status(201)
        .send(success('Stream ticket issued', { ticket, expires_at: toIso(expiresAt) }));
    },
  );
}
