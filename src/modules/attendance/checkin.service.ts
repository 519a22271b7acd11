/**
 * Self check-in and check-out: the hot path of the product. A check-in costs one session read (with
 * the org defaults joined), at most one group-membership lookup, and one insert whose unique
 * constraint settles concurrent duplicates.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DialectName } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import { conflict, fieldError, forbidden, notFound, ruleViolation } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { type Actor, isStaff, scopeOf } from '../../lib/tenancy.js';
import { toIso } from '../../lib/time.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import { toRecordDto } from './attendance.mapper.js';
import type { CheckInInput, CheckOutInput, ForceCheckInInput, RecordDto } from './attendance.schemas.js';
import type { AttendanceRecordRow } from './attendance.table.js';
import { expectedAttendeesRepository } from './expected-attendees.repository.js';
import { checkFence } from './geofence-check.js';
import type { RecordWriter } from './record-writer.js';
import { recordsRepository } from './records.repository.js';

export interface CheckInDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  config: Config;
  writer: RecordWriter;
  now?: () => number;
}

type ForceCheckIn = (
  actor: Actor,
  input: ForceCheckInInput,
) => Promise<{ record: RecordDto; created: boolean }>;

/** What a check-in request did: the caller's own check-in, or staff marking someone else. */
export type CheckInResult =
  | { kind: 'checked_in'; record: RecordDto }
  | { kind: 'marked'; record: RecordDto; created: boolean };

const MINUTE_MS = 60_000;

/** Constant-time comparison of secrets of any length (hashing first equalises the lengths). */
function codeMatches(given: string | undefined, expected: string | null): boolean {
  if (given === undefined || expected === null) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function requirePair(lat: number | undefined, lon: number | undefined) {
  if (lat !== undefined && lon === undefined) throw fieldError('lon', 'is required together with lat');
  if (lon !== undefined && lat === undefined) throw fieldError('lat', 'is required together with lon');
}

export function createCheckInService(deps: CheckInDeps, forceCheckIn: ForceCheckIn) {
  const { db, config, writer } = deps;
  const now = deps.now ?? Date.now;

  async function checkIn(actor: Actor, input: CheckInInput, t: number): Promise<RecordDto> {
    requirePair(input.lat, input.lon);
    const s = await sessionsRepository.findForCheckIn(db, scopeOf(actor), input.session_id);
    if (!s?.is_active) throw notFound('Session');
    // The actor comes fresh from the database (active user, current role and org), so an org-wide
    // session needs no query; a group session needs the membership row.
    const expected =
      actor.role === 'student' &&
      actor.orgId === s.org_id &&
      (s.group_id === null ||
        (await expectedAttendeesRepository.isGroupMember(db, s.org_id, s.group_id, actor.userId)));
    if (!expected) throw forbidden('You are not an expected attendee of this session');

    const opensAt = s.start_time - s.checkin_opens_minutes * MINUTE_MS;
    if (t < opensAt) {
      throw ruleViolation('SESSION_NOT_OPEN', 'Check-in for this session has not opened yet', {
        opens_at: toIso(opensAt),
      });
    }
    if (s.closed_at !== null || t > s.end_time) {
      throw ruleViolation('SESSION_CLOSED', 'This session is closed', {
        closed_at: toIso(Math.min(s.closed_at ?? s.end_time, s.end_time)),
      });
    }
    if (s.require_code && !codeMatches(input.code, s.code)) {
      throw ruleViolation(
        'INVALID_CODE',
        input.code === undefined ? 'This session requires a check-in code' : 'The check-in code is not valid',
      );
    }
    const { distanceM } = checkFence(s, input, {
      maxAccuracyM: config.maxLocationAccuracy,
      defaultRadiusM: s.org_default_radius ?? config.defaultGeofenceRadius,
    });

    const lateAfter = s.late_after_minutes ?? s.org_late_after_minutes;
    const row: AttendanceRecordRow = {
      record_id: newId(),
      org_id: s.org_id,
      session_id: s.session_id,
      user_id: actor.userId,
      check_in_time: t,
      check_out_time: null,
      check_in_lat: input.lat ?? null,
      check_in_lon: input.lon ?? null,
      check_in_accuracy: input.accuracy ?? null,
      check_out_lat: null,
      check_out_lon: null,
      distance_m: distanceM,
      status: t > s.start_time + lateAfter * MINUTE_MS ? 'late' : 'present',
      notes: null,
      marked_by: null,
      created_at: t,
      updated_at: t,
      flags: '',
      review_state: 'none',
      device_hash: null,
    };
    const written = await writer.checkIn(row);
    if (written.kind !== 'created') {
      const existing = await recordsRepository.findBySessionAndUser(
        db,
        deps.dialect,
        s.session_id,
        actor.userId,
      );
      throw conflict('ALREADY_CHECKED_IN', 'You have already checked in to this session', {
        record_id: existing?.record_id ?? null,
        status: existing?.status ?? null,
      });
    }
    return toRecordDto(written.row);
  }

  return {
    /**
     * POST /attendance/check-in and the seed's POST /check-in. A user_id naming someone else is a
     * force check-in, which only staff may do.
     */
    async submit(actor: Actor, input: CheckInInput): Promise<CheckInResult> {
      if (input.user_id !== undefined && input.user_id !== actor.userId) {
        if (!isStaff(actor.role)) throw forbidden('Only teachers and admins may check in another user');
        const { record, created } = await forceCheckIn(actor, {
          session_id: input.session_id,
          user_id: input.user_id,
          status: input.status,
          notes: input.notes,
        });
        return { kind: 'marked', record, created };
      }
      return { kind: 'checked_in', record: await checkIn(actor, input, now()) };
    },

    /** Only the record's owner checks out; anyone else's record is not found. */
    async checkOut(actor: Actor, input: CheckOutInput): Promise<RecordDto> {
      requirePair(input.lat, input.lon);
      const out = await writer.checkOut(scopeOf(actor), input.record_id, actor.userId, {
        check_out_time: now(),
        check_out_lat: input.lat ?? null,
        check_out_lon: input.lon ?? null,
      });
      if (!out) throw notFound('Attendance record');
      if (!out.done) {
        if (out.row.check_out_time !== null) {
          throw conflict('ALREADY_CHECKED_OUT', 'You have already checked out', {
            check_out_time: toIso(out.row.check_out_time),
          });
        }
        throw conflict('CONFLICT', 'This record has no check-in to check out from');
      }
      return toRecordDto(out.row);
    },
  };
}
export type CheckInService = ReturnType<typeof createCheckInService>;
