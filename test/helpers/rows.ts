/**
 * Complete rows for writing straight into the database, with defaults that a call site overrides
 * through `patch` (the patch wins over every default, ids included). Pure: no database access and
 * no password hashing, so bench/ builds its data with them too.
 */
import { newId } from '../../src/lib/ids.js';
import type {
  AttendanceRecordRow,
  NewAttendanceRecordRow,
} from '../../src/modules/attendance/attendance.table.js';
import type {
  NewOrganizationRow,
  OrganizationRow,
} from '../../src/modules/organizations/organizations.table.js';
import type {
  AttendanceSessionRow,
  NewAttendanceSessionRow,
} from '../../src/modules/sessions/sessions.table.js';
import type { NewUserRow, UserRow } from '../../src/modules/users/users.table.js';
import type { WebhookRow } from '../../src/modules/webhooks/webhooks.table.js';

const HOUR = 3_600_000;

/** An active organization in UTC, open to self-registration, late after 10 minutes, no default radius. */
export function orgRow(patch: Partial<OrganizationRow> = {}): Required<NewOrganizationRow> {
  const now = Date.now();
  const orgId = patch.org_id ?? newId();
  return {
    org_id: orgId,
    name: `Org ${orgId}`,
    description: null,
    address: null,
    contact_email: null,
    contact_phone: null,
    timezone: 'UTC',
    self_registration: 1,
    default_geofence_radius: null,
    late_after_minutes: 10,
    boundary_policy: 'flag',
    store_coordinates: 1,
    is_active: 1,
    created_at: now,
    updated_at: now,
    ...patch,
  };
}

/**
 * An active one-hour session of the org starting now, UTC, open to everyone, without location or
 * code. The end defaults to one hour after `patch.start_time` when only the start is given.
 */
export function sessionRow(
  orgId: string,
  patch: Partial<AttendanceSessionRow> = {},
): Required<NewAttendanceSessionRow> {
  const now = Date.now();
  const start = patch.start_time ?? now;
  return {
    session_id: newId(),
    org_id: orgId,
    present_count: null,
    late_count: null,
    absent_count: null,
    excused_count: null,
    session_name: 'Session',
    description: null,
    start_time: start,
    end_time: start + HOUR,
    timezone: 'UTC',
    group_id: null,
    location_lat: null,
    location_lon: null,
    location_radius: null,
    geofence: null,
    late_after_minutes: null,
    checkin_opens_minutes: 15,
    require_code: 0,
    code: null,
    // Part 1 fixtures set require_code: it means a static code (as migration 0006 maps old rows).
    code_mode: patch.require_code ? 'static' : 'none',
    code_period_seconds: 15,
    code_secret: null,
    series_id: null,
    series_detached: 0,
    boundary_policy: null,
    created_by: null,
    created_at: now,
    updated_at: now,
    closed_at: null,
    is_active: 1,
    ...patch,
  };
}

/** A record of a user in a session, written now: an absence (no check-in, no position, no notes). */
export function recordRow(
  ids: { orgId: string; sessionId: string; userId: string },
  patch: Partial<AttendanceRecordRow> = {},
): Required<NewAttendanceRecordRow> {
  const now = Date.now();
  return {
    record_id: newId(),
    org_id: ids.orgId,
    session_id: ids.sessionId,
    user_id: ids.userId,
    check_in_time: null,
    check_out_time: null,
    check_in_lat: null,
    check_in_lon: null,
    check_in_accuracy: null,
    check_out_lat: null,
    check_out_lon: null,
    distance_m: null,
    status: 'absent',
    notes: null,
    marked_by: null,
    created_at: now,
    updated_at: now,
    flags: '',
    review_state: 'none',
    device_hash: null,
    ...patch,
  };
}

/**
 * An active student of the org (null: no org, as for a super_admin) with a unique name and email.
 * The default `password_hash` is no hash at all, so logging in fails: pass a real one for users
 * who must log in.
 */
export function userRow(orgId: string | null, patch: Partial<UserRow> = {}): Required<NewUserRow> {
  const now = Date.now();
  const userId = patch.user_id ?? newId();
  return {
    user_id: userId,
    org_id: orgId,
    name: `User ${userId}`,
    email: `user.${userId}@example.test`,
    password_hash: '!',
    role: 'student',
    is_active: 1,
    created_at: now,
    updated_at: now,
    last_login_at: null,
    credentials_version: 0,
    ...patch,
  };
}

/**
 * An active webhook of the org subscribed to `events`, at a URL nothing listens on. Its secret is
 * no sealed secret: a delivery attempt of it fails. For tests that need a subscriber to exist (the
 * outbox stores only the events someone wants).
 */
export function webhookRow(orgId: string, events: string[], patch: Partial<WebhookRow> = {}): WebhookRow {
  const now = Date.now();
  return {
    webhook_id: newId(),
    org_id: orgId,
    url: 'https://hooks.example.test/attendance',
    events: JSON.stringify(events),
    description: null,
    secret_enc: '!',
    is_active: 1,
    created_by: null,
    created_at: now,
    updated_at: now,
    ...patch,
  };
}
