/**
 * GET /attendance/active-sessions on SQLite from a per-process cache of each organization's open
 * sessions (BENCHMARKS.md, round two: the per-request query and the building of ~20 session objects
 * were most of its ~1 ms of CPU).
 *
 * Exact, not "fresh enough", by the same means as the login-session cache (src/plugins/session-cache.ts):
 * an entry is used only while the database's open-sessions guard (src/db/sqlite-statements.ts) reports
 * the version it was read under. That version moves on every statement of this process that writes a
 * session, a group or a group membership (whoever the writer: the API, series, the scheduler's close,
 * imports; a rollback too) and on every commit of another connection or process (`PRAGMA data_version`).
 *
 * Time: an entry holds the sessions that are open at some instant of [loadedAt, loadedAt + HORIZON_MS]
 * and filters them by the request's `now` (window opened, not ended); past its horizon it is read again.
 * The caller's own part stays exact per request: their records are read on every request (check-ins
 * are not in the guard, so a check-in empties nothing), their group memberships are cached per user
 * under the same guard.
 *
 * PostgreSQL and MariaDB get no cache (no cheap cross-process signal there): the query stays.
 */
import { sql } from 'kysely';
import { prepared } from '../../db/prepared.js';
import type { SessionChangeGuard } from '../../db/sqlite-statements.js';
import type { Db } from '../../db/types.js';
import type { PageRequest } from '../../lib/pagination.js';
import { toSessionDto } from '../sessions/sessions.mapper.js';
import type { PublicSessionDto } from '../sessions/sessions.schemas.js';
import type { AttendanceSessionRow } from '../sessions/sessions.table.js';
import type { AttendanceStatus } from './attendance.table.js';

/** checkin_opens_minutes is at most 1440 (as in open-sessions.repository.ts). */
const MAX_OPENS_EARLY_MS = 1440 * 60_000;
/** How long an entry may serve as time passes: sessions opening within it are read in advance. */
export const HORIZON_MS = 5 * 60_000;
/** Organizations and users kept; beyond, the oldest goes (a school's morning is a few thousand students). */
const MAX_ORGS = 1_000;
const MAX_USERS = 20_000;

/**
 * The public fields of a session as the response schema (publicSessionFields) would serialise them:
 * the same keys in the same order, the geofence with its two members only (the schema's
 * serialiser drops any other; stored ones have none). A test compares this with the schema's own
 * output for a session with every field set.
 */
function publicJson(s: AttendanceSessionRow): string {
  const dto: PublicSessionDto = toSessionDto(s, { withCode: false });
  if (dto.geofence) dto.geofence = { type: dto.geofence.type, coordinates: dto.geofence.coordinates };
  return JSON.stringify(dto).slice(0, -1);
}

interface CachedSession {
  sessionId: string;
  groupId: string | null;
  /** start_time - checkin_opens_minutes: the window opens here. */
  opensAt: number;
  endTime: number;
  /**
   * The public fields as JSON, built once, without the closing brace: each answer appends the
   * caller's own fields. Serialising ~20 sessions per answer was a large part of its CPU.
   */
  json: string;
}

interface OrgEntry {
  version: number;
  loadedAt: number;
  /** In the order of the uncached query: start_time, then session_id. */
  sessions: CachedSession[];
}

interface GroupsEntry {
  version: number;
  groups: Set<string>;
}

/**
 * Sessions of one org open at some instant of [from, until]: active, unclosed, not ended at `from`,
 * window opened by `until`. `latestStart` (until + MAX_OPENS_EARLY_MS) is the indexable bound.
 * Prepared (src/db/prepared.ts) like the two per-request reads below: building a Kysely query costs
 * about what running it does.
 */
const candidates = prepared((db: Db, orgId: string, from: number, until: number, latestStart: number) =>
  db
    .selectFrom('attendance_sessions as s')
    .selectAll('s')
    .where('s.org_id', '=', orgId)
    .where('s.is_active', '=', 1)
    .where('s.closed_at', 'is', null)
    .where('s.end_time', '>=', from)
    .where('s.start_time', '<=', latestStart)
    .where((eb) => eb(eb('s.start_time', '-', eb('s.checkin_opens_minutes', '*', 60_000)), '<=', until))
    .orderBy('s.start_time')
    .orderBy('s.session_id'),
);

const groupsOf = prepared((db: Db, userId: string) =>
  db.selectFrom('group_members').select('group_id').where('user_id', '=', userId),
);

/** The caller's records in these sessions (a JSON array of ids): one statement text for any number. */
const recordsOf = prepared((db: Db, userId: string, sessionIdsJson: string) =>
  db
    .selectFrom('attendance_records')
    .select(['session_id', 'record_id', 'status'])
    .where('user_id', '=', userId)
    .where('session_id', 'in', sql<string>`(select value from json_each(${sessionIdsJson}))`),
);

const setBounded = <V>(map: Map<string, V>, key: string, value: V, max: number) => {
  if (map.size >= max && !map.has(key)) map.delete(map.keys().next().value as string);
  map.set(key, value);
};

export interface OpenSessionsCache {
  /**
   * The page of sessions open at `now` in the org (a student: those they are expected at), each
   * as the JSON of an ActiveSessionSchema item, and the total.
   */
  list(
    orgId: string,
    userId: string,
    now: number,
    onlyExpected: boolean,
    page: PageRequest,
  ): Promise<{ itemsJson: string[]; total: number }>;
}

export function createOpenSessionsCache(db: Db, guard: SessionChangeGuard): OpenSessionsCache {
  const orgs = new Map<string, OrgEntry>();
  const users = new Map<string, GroupsEntry>();

  async function sessionsOf(orgId: string, now: number, version: number): Promise<CachedSession[]> {
    const e = orgs.get(orgId);
    if (e && e.version === version && now >= e.loadedAt && now <= e.loadedAt + HORIZON_MS) return e.sessions;
    // The version read before the query: a write landing meanwhile leaves this entry already stale.
    const until = now + HORIZON_MS;
    const rows = await candidates.all(db, orgId, now, until, until + MAX_OPENS_EARLY_MS);
    const sessions = rows.map((s) => ({
      sessionId: s.session_id,
      groupId: s.group_id,
      opensAt: s.start_time - s.checkin_opens_minutes * 60_000,
      endTime: s.end_time,
      json: publicJson(s),
    }));
    setBounded(orgs, orgId, { version, loadedAt: now, sessions }, MAX_ORGS);
    return sessions;
  }

  async function groupsOfUser(userId: string, version: number): Promise<Set<string>> {
    const e = users.get(userId);
    if (e && e.version === version) return e.groups;
    const groups = new Set((await groupsOf.all(db, userId)).map((r) => r.group_id));
    setBounded(users, userId, { version, groups }, MAX_USERS);
    return groups;
  }

  return {
    async list(orgId, userId, now, onlyExpected, page) {
      const version = guard.version();
      const [sessions, groups] = await Promise.all([
        sessionsOf(orgId, now, version),
        onlyExpected ? groupsOfUser(userId, version) : undefined,
      ]);
      const open: CachedSession[] = [];
      for (const s of sessions) {
        if (s.endTime < now || s.opensAt > now) continue;
        if (groups && s.groupId !== null && !groups.has(s.groupId)) continue;
        open.push(s);
      }
      const onPage = open.slice(page.offset, page.offset + page.perPage);
      const records = new Map<string, { record_id: string; status: AttendanceStatus }>();
      if (onPage.length > 0)
        for (const r of await recordsOf.all(db, userId, JSON.stringify(onPage.map((s) => s.sessionId))))
          records.set(r.session_id, r);
      const items = onPage.map((s) => {
        const r = records.get(s.sessionId);
        return r === undefined
          ? `${s.json},"checked_in":false,"record_id":null,"status":null}`
          : `${s.json},"checked_in":true,"record_id":${JSON.stringify(r.record_id)},"status":${JSON.stringify(r.status)}}`;
      });
      return { itemsJson: items, total: open.length };
    },
  };
}
