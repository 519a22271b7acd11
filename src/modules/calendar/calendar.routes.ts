import Type from 'typebox';
import { errorResponses, ok, success } from '../../lib/envelope.js';
import { type App, bearer } from '../../lib/http.js';
import type { CalendarService } from './calendar.service.js';

const tags = ['calendar'];
const any = ['student', 'teacher', 'admin', 'super_admin'] as const;

const CalendarTokenSchema = Type.Object({
  token: Type.String({ description: 'shown once; only its digest is stored' }),
  url: Type.String({ description: '{PUBLIC_URL}/calendar/{token}.ics: subscribe to it in a calendar app' }),
});
const RevokedSchema = Type.Object({ revoked: Type.Boolean({ description: 'false: there was no token' }) });
const FeedParams = Type.Object({ token: Type.String({ maxLength: 100 }) }, { additionalProperties: false });

export async function calendarRoutes(app: App, { calendar }: { calendar: CalendarService }) {
  app.post(
    '/auth/calendar-token',
    {
      onRequest: app.auth(...any),
      schema: {
        tags,
        summary: 'Create the caller’s calendar feed token (the previous one stops working)',
        security: bearer,
        response: { 201: ok(CalendarTokenSchema), ...errorResponses(401) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(success('Calendar token created', await calendar.createToken(req.actor))),
  );

  app.delete(
    '/auth/calendar-token',
    {
      onRequest: app.auth(...any),
      schema: {
        tags,
        summary: 'Revoke the caller’s calendar feed token',
        security: bearer,
        response: { 200: ok(RevokedSchema), ...errorResponses(401) },
      },
    },
    async (req) => success('Calendar token revoked', await calendar.revoke(req.actor)),
  );

  app.get(
    '/calendar/:token.ics',
    {
      schema: {
        tags,
        summary: 'The caller’s sessions as an iCalendar feed (RFC 5545); the token is the credential',
        description:
          'No Authorization header: calendar apps cannot send one. A student sees the sessions they are ' +
          'expected at; teachers, admins and super_admins the sessions they teach (teacher_ids). Sessions ' +
          'from 180 days ago on, at most 2000; cancelled ones with STATUS:CANCELLED. UIDs are ' +
          '`<session_id>@<host of PUBLIC_URL>`. An unknown or revoked token answers the JSON 404 envelope. ' +
          'The token is masked in request logs.',
        params: FeedParams,
        response: {
          200: {
            description: 'text/calendar',
            content: { 'text/calendar': { schema: { type: 'string' } } },
          },
          ...errorResponses(400, 404),
        },
      },
    },
    async (req, reply) => {
      const body = await calendar.feed(req.params.token);
      return reply
        .type('text/calendar; charset=utf-8')
        .header('cache-control', 'private, no-cache')
        .header('content-disposition', 'inline; filename="attendance.ics"')
        .send(body);
    },
  );
}
