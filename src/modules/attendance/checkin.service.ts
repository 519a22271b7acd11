/**
 * Self check-in and check-out: the hot path of the product. A check-in costs one session read (with
 * the org's settings joined), at most one group-membership lookup, one lookup of the user's previous
 * position (impossible_travel), and one write through the record writer, whose unique constraint
 * settles concurrent duplicates. The service speaks the domain: it returns what happened and throws
 * typed refusals; the routes choose statuses and envelopes.
 */
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DialectName } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import { conflict, fieldError, forbidden, notFound, ruleViolation } from '../../lib/errors.js';
import { haversineDistanceM } from '../../lib/geo.js';
import { newId } from '../../lib/ids.js';
import type { RateLimitStore } from '../../lib/rate-limiter.js';
import { type Actor, isStaff, scopeOf } from '../../lib/tenancy.js';
import { toIso } from '../../lib/time.js';
import { organizationsRepository } from '../organizations/organizations.repository.js';
import type { SessionForCheckIn } from '../sessions/sessions.repository.js';
import { sessionsRepository } from '../sessions/sessions.repository.js';
import { toRecordDto } from './attendance.mapper.js';
import type { CheckInInput, CheckOutInput, ForceCheckInInput, RecordDto } from './attendance.schemas.js';
import type { AttendanceRecordRow } from './attendance.table.js';
import { codeAccepted } from './code-verifier.js';
import { expectedAttendeesRepository } from './expected-attendees.repository.js';
import { decideLocation } from './location-decision.js';
import { type Flag, joinFlags, reviewStateFor } from './record-flags.js';
import type { RecordWriter } from './record-writer.js';
import { recordsRepository } from './records.repository.js';
import { readTicket } from './scan-tickets.js';
import { checkInLimit, guardedGuess } from './wrong-code-limit.js';

export interface CheckInDeps {
  db: Kysely<Database>;
  dialect: DialectName;
  config: Config;
  limits: RateLimitStore;
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

/** What the request carries besides its body: the scan cookie's nonce. */
export interface CheckInContext {
  scanNonce?: string;
}

const MINUTE_MS = 60_000;
/** impossible_travel: faster than this between two check-ins, accuracies granted. */
const MAX_TRAVEL_M_PER_MS = 200_000 / 3_600_000;
const SIX_DIGITS = /^\d{6}$/;

function requirePair(lat: number | undefined, lon: number | undefined) {
  if (lat !== undefined && lon === undefined) throw fieldError('lon', 'is required together with lat');
  if (lon !== undefined && lat === undefined) throw fieldError('lat', 'is required together with lon');
}

const invalidCode = (message = 'The check-in code is not valid') => ruleViolation('INVALID_CODE', message);

export function createCheckInService(deps: CheckInDeps, forceCheckIn: ForceCheckIn) {
  const { db, config, writer, limits } = deps;
  const now = deps.now ?? Date.now;
  const deviceHash = (deviceId: string) =>
    createHmac('sha256', config.secretKey).update(`device.${deviceId}`).digest('hex');

  /**
   * The code rule (after the window, before the location): a code or a scan ticket when the session
   * has codes. Wrong codes count against the per-user-and-session limit before they are verified.
   * Returns the ticket id to spend with the check-in, if one was used.
   */
  async function checkCode(
    actor: Actor,
    s: SessionForCheckIn,
    input: CheckInInput,
    ctx: CheckInContext,
    t: number,
  ): Promise<string | undefined> {
    if (s.code_mode === 'none') return undefined;
    if (input.code !== undefined && input.scan_ticket !== undefined)
      throw fieldError('scan_ticket', 'give either code or scan_ticket, not both');
    if (input.scan_ticket !== undefined) {
      const claims =
        s.code_mode === 'rotating'
          ? readTicket(config.secretKey, input.scan_ticket, {
              sessionId: s.session_id,
              userId: actor.userId,
              nonce: ctx.scanNonce,
              now: t,
            })
          : null;
      if (!claims) throw invalidCode('The scan ticket is not valid; scan the code again');
      return claims.t;
    }
    if (input.code === undefined) throw invalidCode('This session requires a check-in code');
    if (s.code_mode === 'rotating' && !SIX_DIGITS.test(input.code))
      throw fieldError('code', 'must be the 6 digits shown for this session');
    const code = input.code;
    const ok = await guardedGuess(limits, [checkInLimit(s.session_id, actor.userId)], t, () =>
      codeAccepted(s, code, t, config.codeGraceSeconds),
    );
    if (!ok) throw invalidCode();
    return undefined;
  }

  /** impossible_travel: from the previous check-in with coordinates, accuracies granted. */
  async function travelledTooFast(
    userId: string,
    fix: { lat: number; lon: number; accuracy: number },
    t: number,
  ): Promise<boolean> {
    const prev = await recordsRepository.previousFix(db, userId, t);
    if (!prev || prev.check_in_lat === null || prev.check_in_lon === null || prev.check_in_time === null)
      return false;
    const d = haversineDistanceM(fix, { lat: prev.check_in_lat, lon: prev.check_in_lon });
    const beyond = d - fix.accuracy - (prev.check_in_accuracy ?? 0);
    if (beyond <= 0) return false;
    const dt = t - prev.check_in_time;
    return dt <= 0 || beyond / dt > MAX_TRAVEL_M_PER_MS;
  }

  async function checkIn(
    actor: Actor,
    input: CheckInInput,
    ctx: CheckInContext,
    t: number,
  ): Promise<RecordDto> {
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
    const ticketId = await checkCode(actor, s, input, ctx, t);
    const decision = decideLocation(s, input, {
      maxAccuracyM: config.maxLocationAccuracy,
      defaultRadiusM: s.org_default_radius ?? config.defaultGeofenceRadius,
      policy: s.boundary_policy ?? s.org_boundary_policy,
    });
    const storeCoordinates = Number(s.org_store_coordinates) === 1;
    const flags: Flag[] = [...decision.flags];
    if (
      storeCoordinates &&
      input.lat !== undefined &&
      input.lon !== undefined &&
      (await travelledTooFast(
        actor.userId,
        { lat: input.lat, lon: input.lon, accuracy: input.accuracy ?? 0 },
        t,
      ))
    )
      flags.push('impossible_travel');

    const lateAfter = s.late_after_minutes ?? s.org_late_after_minutes;
    const joined = joinFlags(flags);
    const row: AttendanceRecordRow = {
      record_id: newId(),
      org_id: s.org_id,
      session_id: s.session_id,
      user_id: actor.userId,
      check_in_time: t,
      check_out_time: null,
      // With store_coordinates=false the position is used for the decision and then forgotten.
      check_in_lat: storeCoordinates ? (input.lat ?? null) : null,
      check_in_lon: storeCoordinates ? (input.lon ?? null) : null,
      check_in_accuracy: input.accuracy ?? null,
      check_out_lat: null,
      check_out_lon: null,
      distance_m: decision.distanceM,
      status: t > s.start_time + lateAfter * MINUTE_MS ? 'late' : 'present',
      notes: null,
      marked_by: null,
      created_at: t,
      updated_at: t,
      flags: joined,
      review_state: reviewStateFor(joined),
      device_hash: input.device_id !== undefined ? deviceHash(input.device_id) : null,
    };
    const written = await writer.checkIn(row, { ticketId });
    if (written.kind === 'ticket_used')
      throw invalidCode('The scan ticket is not valid; scan the code again');
    if (written.kind === 'duplicate') {
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
    async submit(actor: Actor, input: CheckInInput, ctx: CheckInContext = {}): Promise<CheckInResult> {
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
      return { kind: 'checked_in', record: await checkIn(actor, input, ctx, now()) };
    },

    /** Only the record's owner checks out; anyone else's record is not found. */
    async checkOut(actor: Actor, input: CheckOutInput): Promise<RecordDto> {
      requirePair(input.lat, input.lon);
      const scope = scopeOf(actor);
      const org = actor.orgId ? await organizationsRepository.findById(db, scope, actor.orgId) : undefined;
      const keep = !org || Number(org.store_coordinates) === 1;
      const out = await writer.checkOut(scope, input.record_id, actor.userId, {
        check_out_time: now(),
        check_out_lat: keep ? (input.lat ?? null) : null,
        check_out_lon: keep ? (input.lon ?? null) : null,
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
