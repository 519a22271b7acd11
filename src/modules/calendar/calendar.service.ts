/**
 * Calendar feed (API.md Part 2): one secret token per user, kept only as its SHA-256 digest (the token
 * is 256 random bits, so an unkeyed digest cannot be reversed or guessed, and rotating SECRET_KEY does
 * not break every subscription). The feed lists the user's sessions:
 *   - a student: the sessions they are expected at (the org's sessions without a group, and those of
 *     the groups they belong to);
 *   - a teacher, an admin or a super_admin: the sessions they teach (teacher_ids). Admins get no
 *     org-wide feed: a school has hundreds of sessions a day, which no calendar app shows usefully.
 * Sessions from FEED_PAST_DAYS ago onwards, at most FEED_MAX_EVENTS; cancelled ones as STATUS:CANCELLED.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { notFound } from '../../lib/errors.js';
import type { Actor } from '../../lib/tenancy.js';
import { recordAudit } from '../audit/audit.repository.js';
import { buildCalendar } from './ics.js';

const FEED_PAST_DAYS = 180;
const FEED_MAX_EVENTS = 2000;
const TOKEN_RE = /^cal_[A-Za-z0-9_-]{43}$/;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export function createCalendarService(deps: {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres' | 'mysql';
  publicUrl: string;
  now?: () => number;
}) {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const host = new URL(deps.publicUrl).host;
  const feedUrl = (token: string) => `${deps.publicUrl}/calendar/${token}.ics`;

  const audit = (actor: Actor, action: string) =>
    actor.orgId
      ? recordAudit(db, {
          orgId: actor.orgId,
          actorId: actor.userId,
          action,
          targetType: 'user',
          targetId: actor.userId,
        })
      : Promise.resolve();

  return {
    /** A new token; the previous one (if any) stops working at once. */
    async createToken(actor: Actor): Promise<{ token: string; url: string }> {
      const token = `cal_${randomBytes(32).toString('base64url')}`;
      // Creations at once for one user queue on that user's row (PostgreSQL, MySQL; SQLite writes one
      // at a time anyway): delete-then-insert of a unique user_id otherwise deadlocks InnoDB (gap
      // locks) or loses to a unique violation. The last one to commit stays.
      await db.transaction().execute(async (tx) => {
        await tx
          .selectFrom('users')
          .select('user_id')
          .where('user_id', '=', actor.userId)
          .$if(deps.dialect === 'postgres', (qb) => qb.forNoKeyUpdate())
          .$if(deps.dialect === 'mysql', (qb) => qb.forUpdate())
          .execute();
        await tx.deleteFrom('calendar_tokens').where('user_id', '=', actor.userId).execute();
        await tx
          .insertInto('calendar_tokens')
          .values({
            token_hash: digest(token),
            user_id: actor.userId,
            org_id: actor.orgId,
            created_at: now(),
          })
          .execute();
      });
      await audit(actor, 'auth.calendar_token_created');
      return { token, url: feedUrl(token) };
    },

    async revoke(actor: Actor): Promise<{ revoked: boolean }> {
      const res = await db
        .deleteFrom('calendar_tokens')
        .where('user_id', '=', actor.userId)
        .executeTakeFirst();
      const revoked = Number(res.numDeletedRows) > 0;
      if (revoked) await audit(actor, 'auth.calendar_token_revoked');
      return { revoked };
    },

    /** The .ics text of the token's user; an unknown, revoked or malformed token, or an inactive user: 404. */
    async feed(token: string): Promise<string> {
      if (!TOKEN_RE.test(token)) throw notFound('Calendar');
      const user = await db
        .selectFrom('calendar_tokens as c')
        .innerJoin('users as u', 'u.user_id', 'c.user_id')
        .select(['u.user_id', 'u.org_id', 'u.role', 'u.name'])
        .where('c.token_hash', '=', digest(token))
        .where('u.is_active', '=', 1)
        .executeTakeFirst();
      if (!user) throw notFound('Calendar');
      const from = now() - FEED_PAST_DAYS * 86_400_000;
      const sessions = await db
        .selectFrom('attendance_sessions as s')
        .select([
          's.session_id',
          's.session_name',
          's.description',
          's.start_time',
          's.end_time',
          's.location_lat',
          's.location_lon',
          's.is_active',
          's.created_at',
          's.updated_at',
        ])
        .where('s.start_time', '>=', from)
        .$if(user.role === 'student', (qb) =>
          qb.where((eb) =>
            eb.or([
              eb('s.group_id', 'is', null),
              eb(
                's.group_id',
                'in',
                eb.selectFrom('group_members').select('group_id').where('user_id', '=', user.user_id),
              ),
            ]),
          ),
        )
        .$if(user.role !== 'student', (qb) =>
          qb.where(
            's.session_id',
            'in',
            db.selectFrom('session_teachers').select('session_id').where('user_id', '=', user.user_id),
          ),
        )
        // The user's organization only (a session's teachers are of it by construction; a super_admin,
        // of none, teaches nothing).
        .where('s.org_id', '=', user.org_id ?? '')
        .orderBy('s.start_time')
        .orderBy('s.session_id')
        .limit(FEED_MAX_EVENTS)
        .execute();
      return buildCalendar({
        name: `Attendance: ${user.name}`,
        events: sessions.map((s) => ({
          uid: `${s.session_id}@${host}`,
          start: s.start_time,
          end: s.end_time,
          summary: s.session_name,
          description: s.description,
          geo:
            s.location_lat !== null && s.location_lon !== null
              ? { lat: s.location_lat, lon: s.location_lon }
              : null,
          cancelled: !s.is_active,
          created: s.created_at,
          lastModified: s.updated_at,
        })),
      });
    },
  };
}
export type CalendarService = ReturnType<typeof createCalendarService>;
