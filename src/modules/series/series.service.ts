/**
 * Session series (API.md Part 2 "Session series"): a schedule that creates real sessions at once
 * (rows with `series_id`), edits of the series reaching the sessions that have not started and were
 * not edited on their own, and a cancel that cancels the unstarted ones the way a single DELETE does.
 * Staff of the organization read series; their teachers and the org's admins change them.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Database } from '../../db/schema.js';
import type { ChangeBus } from '../../lib/change-events.js';
import {
  AppError,
  conflict,
  type FieldError,
  fieldError,
  forbidden,
  notFound,
  validationError,
} from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { pageRequest, pagination } from '../../lib/pagination.js';
import { type Actor, requireRole, scopeOf } from '../../lib/tenancy.js';
import { localDateOf, localTimeToUtc, toIso } from '../../lib/time.js';
import { recordAudit } from '../audit/audit.repository.js';
import { organizationsRepository } from '../organizations/organizations.repository.js';
import { canManageSession } from '../sessions/session-access.js';
import { type InputContext, resolveSessionFields } from '../sessions/session-input.js';
import { resolveTeacherIds } from '../sessions/session-teachers.js';
import { sessionTeachersRepository } from '../sessions/session-teachers.repository.js';
import { toStaffSessionDto } from '../sessions/sessions.mapper.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import type { UpdateSessionInput } from '../sessions/sessions.schemas.js';
import type { AttendanceSessionRow } from '../sessions/sessions.table.js';
import { settingsOf, teachersOf, toSeriesDto } from './series.mapper.js';
import { seriesRepository } from './series.repository.js';
import { checkSchedule, minutesOf, type Occurrence, occurrencesOf } from './series.rules.js';
import type {
  CreateSeriesInput,
  ListSeriesFilter,
  SeriesWithSessionsDto,
  UpdateSeriesInput,
} from './series.schemas.js';
import type { SessionSeriesRow } from './series.table.js';

export interface SeriesDeps {
  db: Kysely<Database>;
  config: Config;
  /** The single-session cancel (sessions module): update, `cancelled` event, audit. Already authorised here. */
  cancelSession: (actor: Actor, sessionId: string) => Promise<unknown>;
  changes?: ChangeBus;
  now?: () => number;
}

const STAFF = ['teacher', 'admin', 'super_admin'] as const;
const uniqueErrors = (errors: FieldError[]) =>
  errors.filter((e, i) => errors.findIndex((o) => o.field === e.field && o.message === e.message) === i);

/** resolveSessionFields, with its 400 turned into field errors added to `errors`. */
function tryResolve(
  input: UpdateSessionInput,
  current: AttendanceSessionRow | undefined,
  ctx: InputContext,
  errors: FieldError[],
) {
  try {
    return resolveSessionFields(input, current, ctx);
  } catch (err) {
    if (err instanceof AppError && err.extra.errors) {
      errors.push(...err.extra.errors);
      return null;
    }
    throw err;
  }
}

export function createSeriesService(deps: SeriesDeps) {
  const { db, config, changes, cancelSession } = deps;
  const now = deps.now ?? Date.now;

  async function orgOf(actor: Actor, orgId: string) {
    const org = await organizationsRepository.findById(db, scopeOf(actor), orgId);
    if (!org) throw notFound('Organization');
    return org;
  }
  const contextOf = (org: { timezone: string; default_geofence_radius: number | null }): InputContext => ({
    orgTimezone: org.timezone,
    defaultRadius: org.default_geofence_radius ?? config.defaultGeofenceRadius,
  });

  async function load(actor: Actor, seriesId: string) {
    const row = await seriesRepository.findById(db, scopeOf(actor), seriesId);
    if (!row) throw notFound('Series');
    return row;
  }
  const managed = (row: SessionSeriesRow) => ({ org_id: row.org_id, teacher_ids: teachersOf(row) });
  function assertCanManage(actor: Actor, row: SessionSeriesRow) {
    if (!canManageSession(actor, managed(row)))
      throw forbidden('Only the teachers of this series or an admin may do this');
  }

  /** The series with all its sessions, as staff see them. */
  async function withSessions(actor: Actor, row: SessionSeriesRow, affected?: number) {
    const sessions = await seriesRepository.sessionsOf(db, row.org_id, row.series_id);
    const teachers = await sessionTeachersRepository.forSessions(
      db,
      sessions.map((s) => s.session_id),
    );
    const dto: SeriesWithSessionsDto = {
      ...toSeriesDto(row, sessions.length),
      sessions: sessions.map((s) => {
        const full = { ...s, teacher_ids: teachers.get(s.session_id)! };
        return toStaffSessionDto(full, { withCode: canManageSession(actor, full) });
      }),
    };
    if (affected !== undefined) dto.affected_sessions = affected;
    return dto;
  }

  async function audit(
    actor: Actor,
    action: string,
    row: SessionSeriesRow,
    details: Record<string, unknown>,
  ) {
    await recordAudit(db, {
      orgId: row.org_id,
      actorId: actor.userId,
      action,
      targetType: 'session_series',
      targetId: row.series_id,
      details,
    });
  }

  return {
    async create(actor: Actor, input: CreateSeriesInput) {
      requireRole(actor, ...STAFF);
      let orgId = actor.orgId;
      if (actor.role === 'super_admin') {
        if (!input.org_id) throw fieldError('org_id', 'is required when a super_admin creates a series');
        orgId = input.org_id;
      } else if (input.org_id !== undefined && input.org_id !== actor.orgId) {
        throw notFound('Organization');
      }
      const org = await orgOf(actor, orgId ?? '');
      const ctx = contextOf(org);
      const tz = input.timezone ?? org.timezone;

      const schedule = checkSchedule({ ...input, timezone: tz });
      const errors = [...schedule.errors];
      let occurrences: Occurrence[] = [];
      if (schedule.dates) {
        const r = occurrencesOf(schedule.dates, input.start_local, input.end_local, tz);
        errors.push(...r.errors);
        occurrences = r.occurrences;
      }
      const settings = settingsOf(input);
      // The body as sent, aliases included: resolveSessionFields folds them and names a conflict.
      const sessionInput = (o: { start: number; end: number }): UpdateSessionInput => ({
        ...input,
        timezone: tz,
        start_time: toIso(o.start),
        end_time: toIso(o.end),
      });
      // The settings are checked once, with the first session's times (any times when the schedule failed).
      const sample = occurrences.find((o) => o.end > o.start) ?? { start: 0, end: 3_600_000 };
      tryResolve(sessionInput(sample), undefined, ctx, errors);
      if (errors.length) throw validationError(uniqueErrors(errors));
      if (input.group_id && !(await sessionsRepository.groupInOrg(db, org.org_id, input.group_id)))
        throw notFound('Group');
      const teacherIds = (await resolveTeacherIds(db, actor, org.org_id, input.teacher_ids, undefined)) ?? [];

      const t = now();
      const series: SessionSeriesRow = {
        series_id: newId(),
        org_id: org.org_id,
        session_name: input.session_name.trim(),
        description: input.description ?? null,
        group_id: input.group_id ?? null,
        teacher_ids: JSON.stringify(teacherIds),
        weekdays: [...new Set(input.weekdays)].sort((a, b) => a - b).join(','),
        start_date: input.start_date,
        end_date: input.end_date,
        start_local: input.start_local,
        end_local: input.end_local,
        interval_weeks: input.interval_weeks ?? 1,
        skip_dates: JSON.stringify([...(input.skip_dates ?? [])].sort()),
        timezone: tz,
        settings: JSON.stringify(settings),
        created_by: actor.userId,
        created_at: t,
        updated_at: t,
        is_active: 1,
      };
      const rows: AttendanceSessionRow[] = occurrences.map((o) => ({
        ...resolveSessionFields(sessionInput(o), undefined, ctx),
        session_id: newId(),
        org_id: org.org_id,
        series_id: series.series_id,
        series_detached: 0,
        created_by: actor.userId,
        created_at: t,
        updated_at: t,
        closed_at: null,
        is_active: 1,
        present_count: null,
        late_count: null,
        absent_count: null,
        excused_count: null,
      }));
      await db.transaction().execute(async (tx) => {
        await seriesRepository.insert(tx, series);
        await seriesRepository.insertSessions(tx, rows);
        await sessionTeachersRepository.insert(
          tx,
          org.org_id,
          rows.map((r) => r.session_id),
          teacherIds,
        );
      });
      await audit(actor, 'series.created', series, { sessions: rows.length, teacher_ids: teacherIds });
      return withSessions(actor, series);
    },

    async list(actor: Actor, q: ListSeriesFilter) {
      requireRole(actor, ...STAFF);
      if (actor.role !== 'super_admin' && q.org_id !== undefined && q.org_id !== actor.orgId)
        throw notFound('Organization');
      const page = pageRequest(q);
      const { rows, total } = await seriesRepository.list(
        db,
        scopeOf(actor),
        { orgId: actor.role === 'super_admin' ? q.org_id : undefined, active: q.active },
        page,
      );
      const counts = await seriesRepository.sessionCounts(
        db,
        rows.map((r) => r.series_id),
      );
      return {
        items: rows.map((r) => toSeriesDto(r, counts.get(r.series_id) ?? 0)),
        pagination: pagination(page, total),
      };
    },

    async get(actor: Actor, seriesId: string) {
      requireRole(actor, ...STAFF);
      return withSessions(actor, await load(actor, seriesId));
    },

    async update(actor: Actor, seriesId: string, input: UpdateSeriesInput) {
      requireRole(actor, ...STAFF);
      const series = await load(actor, seriesId);
      assertCanManage(actor, series);
      if (!series.is_active) throw conflict('CONFLICT', 'A cancelled series cannot be changed');
      const org = await orgOf(actor, series.org_id);
      const ctx = contextOf(org);
      const { teacher_ids: requestedTeachers, start_local, end_local, ...rest } = input;
      const startLocal = start_local ?? series.start_local;
      const endLocal = end_local ?? series.end_local;
      if (minutesOf(endLocal)! <= minutesOf(startLocal)!)
        throw fieldError(end_local ? 'end_local' : 'start_local', 'end_local must be after start_local');
      const timesChanged = startLocal !== series.start_local || endLocal !== series.end_local;
      const settings = settingsOf(rest);
      // As sent, aliases included: resolveSessionFields folds them and names a conflict.
      const body: UpdateSessionInput = rest;
      if (rest.group_id && rest.group_id !== series.group_id)
        if (!(await sessionsRepository.groupInOrg(db, org.org_id, rest.group_id))) throw notFound('Group');
      const teacherIds = await resolveTeacherIds(
        db,
        actor,
        org.org_id,
        requestedTeachers,
        teachersOf(series),
      );

      const t = now();
      const targets = await seriesRepository.sessionsOf(db, org.org_id, seriesId, {
        unstartedAfter: t,
        activeOnly: true,
        attachedOnly: true,
      });
      const errors: FieldError[] = [];
      const patches = targets.map((s) => {
        let times = {};
        if (timesChanged) {
          const date = localDateOf(s.start_time, series.timezone);
          const start = localTimeToUtc(date, minutesOf(startLocal)!, series.timezone).ms;
          const end = localTimeToUtc(date, minutesOf(endLocal)!, series.timezone).ms;
          times = { start_time: toIso(start), end_time: toIso(end) };
        }
        return { s, fields: tryResolve({ ...body, ...times }, s, ctx, errors) };
      });
      if (errors.length) throw validationError(uniqueErrors(errors));
      // With no session left to carry them, the settings are still checked against the series' own.
      if (targets.length === 0)
        tryResolve(
          {
            ...body,
            timezone: series.timezone,
            start_time: toIso(t),
            end_time: toIso(t + 3_600_000),
            session_name: rest.session_name ?? series.session_name,
          },
          undefined,
          ctx,
          errors,
        );
      if (errors.length) throw validationError(uniqueErrors(errors));

      const seriesPatch = {
        ...(rest.session_name !== undefined ? { session_name: rest.session_name.trim() } : {}),
        ...(rest.description !== undefined ? { description: rest.description } : {}),
        ...(rest.group_id !== undefined ? { group_id: rest.group_id } : {}),
        ...(teacherIds ? { teacher_ids: JSON.stringify(teacherIds) } : {}),
        start_local: startLocal,
        end_local: endLocal,
        settings: JSON.stringify({ ...JSON.parse(series.settings), ...settings }),
        updated_at: t,
      };
      const eventOf = (s: AttendanceSessionRow) => ({
        type: 'session' as const,
        state: 'updated' as const,
        orgId: s.org_id,
        sessionId: s.session_id,
        actorId: actor.userId,
        at: new Date(t),
      });
      const applied: AttendanceSessionRow[] = [];
      // Each changed session's `updated` event: stored in the transaction (change bus writers), then announced.
      await db.transaction().execute(async (tx) => {
        await seriesRepository.update(tx, org.org_id, seriesId, seriesPatch);
        for (const { s, fields } of patches) {
          const patch = { ...fields!, updated_at: t };
          if (!(await seriesRepository.updateAttachedSession(tx, org.org_id, s.session_id, patch, t)))
            continue;
          if (teacherIds) await sessionTeachersRepository.replace(tx, org.org_id, s.session_id, teacherIds);
          applied.push(s);
        }
        await changes?.write(tx, applied.map(eventOf));
      });
      changes?.committed(applied.map(eventOf));
      const updated = { ...series, ...seriesPatch };
      await audit(actor, 'series.updated', updated, { fields: Object.keys(input), sessions: applied.length });
      return withSessions(actor, updated, applied.length);
    },

    async cancel(actor: Actor, seriesId: string) {
      requireRole(actor, ...STAFF);
      const series = await load(actor, seriesId);
      assertCanManage(actor, series);
      const t = now();
      const targets = await seriesRepository.sessionsOf(db, series.org_id, seriesId, {
        unstartedAfter: t,
        activeOnly: true,
      });
      // One at a time, through the single-session cancel: each gets its event, webhook and audit row.
      for (const s of targets) await cancelSession(actor, s.session_id);
      await seriesRepository.update(db, series.org_id, seriesId, { is_active: 0, updated_at: t });
      const cancelled = { ...series, is_active: 0, updated_at: t };
      if (series.is_active) await audit(actor, 'series.cancelled', cancelled, { sessions: targets.length });
      return withSessions(actor, cancelled, targets.length);
    },
  };
}
export type SeriesService = ReturnType<typeof createSeriesService>;
