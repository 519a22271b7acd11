/**
 * Attendance sessions: create, list, read, update, cancel, close. Staff of the organization read all
 * of its sessions; the session's teachers and the org's admins run it (session-access.ts), and only
 * they see its code.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DialectName } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import type { ChangeBus, ChangeEvent, SessionChangeState } from '../../lib/change-events.js';
import { conflict, fieldError, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, requireRole, scopeOf } from '../../lib/tenancy.js';
import { localDateRangeMs, parseInstant } from '../../lib/time.js';
import { recordAudit } from '../audit/audit.repository.js';
import { organizationsRepository } from '../organizations/organizations.repository.js';
import { assertCanManageSession, canManageSession } from './session-access.js';
import { resolveSessionFields } from './session-input.js';
import { resolveTeacherIds } from './session-teachers.js';
import { sessionTeachersRepository } from './session-teachers.repository.js';
import { toStaffSessionDto } from './sessions.mapper.js';
import { type SessionWithTeachers, sessionsRepository } from './sessions.repository.js';
import type { CreateSessionInput, ListSessionsFilter, UpdateSessionInput } from './sessions.schemas.js';
import type { AttendanceSessionRow } from './sessions.table.js';
import { userCountsRepository } from './user-counts.repository.js';

/** The close is attendance's (it writes the absent records); sessions receives it. */
export type CloseSession = (
  session: AttendanceSessionRow,
  actorId: string | null,
  now: number,
) => Promise<number>;

export interface SessionsDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  config: Config;
  closeSession: CloseSession;
  /** Announces updates, cancellations and closes (the live feed, the outbox). */
  changes?: ChangeBus;
  now?: () => number;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const staffView = (actor: Actor, s: SessionWithTeachers) =>
  toStaffSessionDto(s, { withCode: canManageSession(actor, s) });

const STAFF = ['teacher', 'admin', 'super_admin'] as const;

export function createSessionsService(deps: SessionsDeps) {
  const { db, dialect, config, closeSession, changes } = deps;
  const now = deps.now ?? Date.now;

  /** A session change: stored in its transaction (`changes.write`), announced after the commit. */
  const sessionEvent = (
    actor: Actor,
    s: AttendanceSessionRow,
    state: SessionChangeState,
    at: number,
  ): ChangeEvent => ({
    type: 'session',
    state,
    orgId: s.org_id,
    sessionId: s.session_id,
    actorId: actor.userId,
    at: new Date(at),
  });

  async function orgOf(actor: Actor, orgId: string) {
    const org = await organizationsRepository.findById(db, scopeOf(actor), orgId);
    if (!org) throw notFound('Organization');
    return org;
  }

  async function assertGroup(orgId: string, groupId: string | null | undefined) {
    if (groupId && !(await sessionsRepository.groupInOrg(db, orgId, groupId))) throw notFound('Group');
  }

  /** A session of the actor's scope, or 404. */
  async function load(actor: Actor, sessionId: string) {
    const s = await sessionsRepository.findById(db, scopeOf(actor), sessionId);
    if (!s) throw notFound('Session');
    return s;
  }

  /** `from`/`to`: a date means whole days in the org zone; an instant is taken as given (both inclusive). */
  function bound(field: 'from' | 'to', value: string | undefined, tz: string): number | undefined {
    if (value === undefined) return undefined;
    if (DATE_RE.test(value)) {
      const r = localDateRangeMs(value, value, tz);
      const ms = field === 'from' ? r.fromMs : r.toMs;
      if (ms === undefined)
        throw fieldError(field, 'must be a real date (YYYY-MM-DD) or an ISO 8601 instant');
      return ms;
    }
    const ms = parseInstant(value, tz);
    if (ms === null) throw fieldError(field, 'must be a date (YYYY-MM-DD) or an ISO 8601 instant');
    return field === 'to' ? ms + 1 : ms;
  }

  async function audit(
    actor: Actor,
    action: string,
    s: AttendanceSessionRow,
    details?: Record<string, unknown>,
  ) {
    await recordAudit(db, {
      orgId: s.org_id,
      actorId: actor.userId,
      action,
      targetType: 'attendance_session',
      targetId: s.session_id,
      details,
    });
  }

  return {
    async create(actor: Actor, input: CreateSessionInput) {
      requireRole(actor, ...STAFF);
      let orgId = actor.orgId;
      if (actor.role === 'super_admin') {
        if (!input.org_id) throw fieldError('org_id', 'is required when a super_admin creates a session');
        orgId = input.org_id;
      } else if (input.org_id !== undefined && input.org_id !== actor.orgId) {
        throw notFound('Organization');
      }
      const org = await orgOf(actor, orgId ?? '');
      const fields = resolveSessionFields(input, undefined, {
        orgTimezone: org.timezone,
        defaultRadius: org.default_geofence_radius ?? config.defaultGeofenceRadius,
      });
      await assertGroup(org.org_id, fields.group_id);
      const teacherIds = (await resolveTeacherIds(db, actor, org.org_id, input.teacher_ids, undefined)) ?? [];
      const t = now();
      const row: AttendanceSessionRow = {
        ...fields,
        present_count: null,
        late_count: null,
        absent_count: null,
        excused_count: null,
        session_id: newId(),
        org_id: org.org_id,
        created_by: actor.userId,
        created_at: t,
        updated_at: t,
        closed_at: null,
        is_active: 1,
        series_id: null,
        series_detached: 0,
      };
      await db.transaction().execute(async (tx) => {
        await sessionsRepository.insert(tx, row);
        await sessionTeachersRepository.insert(tx, row.org_id, [row.session_id], teacherIds);
      });
      await audit(actor, 'session.create', row, { teacher_ids: teacherIds });
      return staffView(actor, { ...row, teacher_ids: teacherIds });
    },

    async list(actor: Actor, q: ListSessionsFilter) {
      requireRole(actor, ...STAFF);
      const scope = scopeOf(actor);
      // As everywhere, naming another organization is a 404 for anyone but a super_admin.
      if (actor.role !== 'super_admin' && q.org_id !== undefined && q.org_id !== actor.orgId)
        throw notFound('Organization');
      const orgId = actor.role === 'super_admin' ? q.org_id : undefined;
      // Dates are days of the organization's zone (UTC for a super_admin looking across orgs).
      const zoneOrg = q.from !== undefined || q.to !== undefined ? (orgId ?? actor.orgId) : null;
      const tz = zoneOrg
        ? ((await organizationsRepository.findById(db, scope, zoneOrg))?.timezone ?? 'UTC')
        : 'UTC';
      const page = pageRequest(q);
      const { rows, total } = await sessionsRepository.list(
        db,
        scope,
        {
          orgId,
          active: q.active,
          fromMs: bound('from', q.from, tz),
          toMs: bound('to', q.to, tz),
          groupId: q.group_id,
          createdBy: q.created_by,
          teacherId: q.teacher_id,
        },
        page,
      );
      const teachers = await sessionTeachersRepository.forSessions(
        db,
        rows.map((r) => r.session_id),
      );
      const items = rows.map((r) => staffView(actor, { ...r, teacher_ids: teachers.get(r.session_id)! }));
      return { items, pagination: pagination(page, total) };
    },

    async get(actor: Actor, sessionId: string) {
      requireRole(actor, ...STAFF);
      return staffView(actor, await load(actor, sessionId));
    },

    async update(actor: Actor, sessionId: string, input: UpdateSessionInput) {
      const current = await load(actor, sessionId);
      assertCanManageSession(actor, current);
      const org = await orgOf(actor, current.org_id);
      const { teacher_ids: requestedTeachers, ...sessionInput } = input;
      const fields = resolveSessionFields(sessionInput, current, {
        orgTimezone: org.timezone,
        defaultRadius: org.default_geofence_radius ?? config.defaultGeofenceRadius,
      });
      if (fields.group_id !== current.group_id) await assertGroup(current.org_id, fields.group_id);
      const teacherIds = await resolveTeacherIds(
        db,
        actor,
        current.org_id,
        requestedTeachers,
        current.teacher_ids,
      );
      // A session of a series edited on its own keeps its edit: series edits skip it from now on.
      const detach = current.series_id !== null ? { series_detached: 1 } : {};
      const updated: SessionWithTeachers = {
        ...current,
        ...fields,
        ...detach,
        teacher_ids: teacherIds ?? current.teacher_ids,
        updated_at: now(),
      };
      const events = [sessionEvent(actor, updated, 'updated', updated.updated_at)];
      const moves = fields.start_time !== current.start_time;
      await db.transaction().execute(async (tx) => {
        // A closed session's records count in the month of its start (user-counts.repository.ts):
        // moved under the session's lock, as a close or a correction would take it.
        if (moves) {
          await sessionsRepository.lockForClose(tx, dialect, sessionId);
          await userCountsRepository.contribute(tx, dialect, sessionId, -1);
        }
        await sessionsRepository.update(tx, scopeOf(actor), sessionId, {
          ...fields,
          ...detach,
          updated_at: updated.updated_at,
        });
        if (moves) await userCountsRepository.contribute(tx, dialect, sessionId, 1);
        if (teacherIds) await sessionTeachersRepository.replace(tx, current.org_id, sessionId, teacherIds);
        await changes?.write(tx, events);
      });
      changes?.committed(events);
      await audit(actor, 'session.update', updated, {
        fields: Object.keys(input),
        ...(teacherIds ? { teacher_ids: teacherIds } : {}),
      });
      return staffView(actor, updated);
    },

    /**
     * DELETE cancels: the session and its records stay for the history. Cancelling twice is harmless.
     * `accessChecked`: the caller has authorised it already (DELETE of a session series checks the
     * series' access once, then cancels each session through here: same update, event and audit).
     */
    async cancel(actor: Actor, sessionId: string, opts: { accessChecked?: boolean } = {}) {
      const current = await load(actor, sessionId);
      if (!opts.accessChecked) assertCanManageSession(actor, current);
      if (!current.is_active) return staffView(actor, current);
      const t = now();
      const cancelled = { ...current, is_active: 0, updated_at: t };
      const events = [sessionEvent(actor, cancelled, 'cancelled', t)];
      await db.transaction().execute(async (tx) => {
        // Under the session's lock, so a close cannot count the records after they were taken out.
        await sessionsRepository.lockForClose(tx, dialect, sessionId);
        await userCountsRepository.contribute(tx, dialect, sessionId, -1);
        await sessionsRepository.update(tx, scopeOf(actor), sessionId, { is_active: 0, updated_at: t });
        await changes?.write(tx, events);
      });
      changes?.committed(events);
      await audit(actor, 'session.cancel', cancelled);
      return staffView(actor, cancelled);
    },

    /** Ends the session now and records the absent; a second close changes nothing. */
    async close(actor: Actor, sessionId: string) {
      const current = await load(actor, sessionId);
      assertCanManageSession(actor, current);
      if (!current.is_active) throw conflict('CONFLICT', 'A cancelled session cannot be closed');
      if (current.closed_at !== null) return { session: staffView(actor, current), absent_marked: 0 };
      const absent = await closeSession(current, actor.userId, now());
      await audit(actor, 'session.close', current, { absent_marked: absent });
      return { session: staffView(actor, await load(actor, sessionId)), absent_marked: absent };
    },
  };
}
export type SessionsService = ReturnType<typeof createSessionsService>;
