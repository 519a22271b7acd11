import Type, { type Static } from 'typebox';
import { IsoTime, Uuid } from '../../lib/strings.js';

export const LiveQuery = Type.Object(
  {
    code: Type.Optional(
      Type.Enum(['0', '1'], {
        description: '1: also `code` events (the body of GET …/code) at each new step',
      }),
    ),
    last_event_id: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'As the Last-Event-ID header (which wins): replay what came after; unknown → snapshot',
      }),
    ),
    ticket: Type.Optional(
      Type.String({
        maxLength: 1024,
        description: 'A stream ticket (POST /auth/stream-ticket), for EventSource',
      }),
    ),
  },
  { additionalProperties: false },
);
export type LiveQuery = Static<typeof LiveQuery>;

export const LiveHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ description: 'The id of the last event received: the missed ones are replayed' }),
  ),
});

export const StreamTicketBody = Type.Object({ session_id: Uuid }, { additionalProperties: false });
export type StreamTicketBody = Static<typeof StreamTicketBody>;

export const StreamTicketSchema = Type.Object({
  ticket: Type.String({ description: 'Pass as ?ticket= to GET /attendance/session/{id}/live' }),
  expires_at: IsoTime,
});

export const LIVE_DESCRIPTION = [
  '`text/event-stream`. Events: `snapshot` {session, counts{present,late,absent,excused}, expected,',
  'pending_review, records[record + user{user_id,name}]} on connect and when a replay is impossible;',
  '`record` (record + user) when a record is created or changed; `session` {session_id,',
  'state: updated|closed|cancelled, session}; with `?code=1`, `code` (the body of GET',
  '/admin/sessions/{id}/code) at each new step, without `id:` and never replayed. Event ids are opaque;',
  'reconnect with `Last-Event-ID` (or `?last_event_id=`) to get exactly what was missed. A comment line',
  'is sent every SSE_HEARTBEAT_SECONDS. Authentication: the Authorization header, or `?ticket=`',
  '(POST /auth/stream-ticket). More than SSE_MAX_PER_USER open streams → 429.',
].join(' ');
