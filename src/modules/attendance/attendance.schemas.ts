import Type, { type Static } from 'typebox';
import { PaginationQuery } from '../../lib/pagination.js';
import { FreeText, IsoTime, LocalDate, Nullable, Uuid } from '../../lib/strings.js';
import {
  Latitude,
  Longitude,
  nullableInteger,
  nullableNumber,
  publicSessionFields,
  SessionSchema,
} from '../sessions/sessions.schemas.js';
import { ATTENDANCE_STATUSES, REVIEW_STATES } from './attendance.table.js';
import { FLAGS } from './record-flags.js';

export const StatusSchema = Type.Enum([...ATTENDANCE_STATUSES]);
const Notes = Nullable(FreeText(2000));
const Accuracy = Type.Number({
  minimum: 0,
  maximum: 1_000_000,
  description: 'reported GPS accuracy, metres (refused above MAX_LOCATION_ACCURACY)',
});

export const ReviewStateSchema = Type.Enum([...REVIEW_STATES], {
  description:
    'none: no flag; pending: flagged, awaiting review (counts as attended); accepted; rejected (absent)',
});

const recordFields = {
  record_id: Type.String(),
  session_id: Type.String(),
  user_id: Type.String(),
  check_in_time: Nullable(IsoTime),
  check_out_time: Nullable(IsoTime),
  check_in_lat: nullableNumber(),
  check_in_lon: nullableNumber(),
  check_in_accuracy: nullableNumber(),
  check_out_lat: nullableNumber(),
  check_out_lon: nullableNumber(),
  location: Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number() }), Type.Null()], {
    description: 'check-in position {lat, lon} as the original service gave it; null when none was stored',
  }),
  distance_m: nullableNumber({ description: 'metres from the centre (0 inside a polygon fence)' }),
  status: StatusSchema,
  notes: Nullable(Type.String()),
  marked_by: Nullable(Type.String()),
  created_at: IsoTime,
  updated_at: IsoTime,
  duration_minutes: nullableInteger({ description: 'check-in to check-out, null until checked out' }),
  flags: Type.Array(Type.Enum([...FLAGS]), {
    description:
      'what made the check-in doubtful: uncertain_location, no_accuracy, low_accuracy (> 100 m), shared_device, impossible_travel',
  }),
  review_state: ReviewStateSchema,
};
export const RecordSchema = Type.Object(recordFields);
export type RecordDto = Static<typeof RecordSchema>;

const checkInFields = {
  session_id: Uuid,
  lat: Type.Optional(Latitude),
  lon: Type.Optional(Longitude),
  accuracy: Type.Optional(Accuracy),
  code: Type.Optional(
    FreeText(64, {
      minLength: 1,
      description: 'the session’s code: its static code, or the 6 digits shown now for a rotating one',
    }),
  ),
  scan_ticket: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_.-]{20,600}$',
      description:
        'instead of code: the ticket POST /attendance/scan returned (120 s, used up by this check-in)',
    }),
  ),
  device_id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[^\\p{C}]+$',
      description:
        'an opaque id the app keeps per install (printable, at most 128 characters); stored only as an HMAC; the same device on two accounts flags both check-ins shared_device',
    }),
  ),
};
export const CheckInBody = Type.Object(checkInFields, { additionalProperties: false });

/** The seed's POST /check-in: the same, plus a user_id that staff may use to check someone else in. */
export const LegacyCheckInBody = Type.Object(
  {
    ...checkInFields,
    user_id: Type.Optional(Uuid),
    status: Type.Optional(StatusSchema),
    notes: Type.Optional(Notes),
  },
  { additionalProperties: false },
);
export type CheckInInput = Static<typeof LegacyCheckInBody>;

export const CheckOutBody = Type.Object(
  { record_id: Uuid, lat: Type.Optional(Latitude), lon: Type.Optional(Longitude) },
  { additionalProperties: false },
);
export type CheckOutInput = Static<typeof CheckOutBody>;

export const ForceCheckInBody = Type.Object(
  {
    session_id: Uuid,
    user_id: Uuid,
    status: Type.Optional(StatusSchema),
    notes: Type.Optional(Notes),
  },
  { additionalProperties: false },
);
export type ForceCheckInInput = Static<typeof ForceCheckInBody>;

export const UpdateRecordBody = Type.Object(
  { status: Type.Optional(StatusSchema), notes: Type.Optional(Notes) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateRecordInput = Static<typeof UpdateRecordBody>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_\\-:.]{1,128}$',
      description: 'Retrying with the same key returns the first answer; the same key with another body: 409',
    }),
  ),
});

export const ReviewQuery = Type.Object(
  {
    ...PaginationQuery,
    session_id: Type.Optional(Uuid),
    state: Type.Optional(ReviewStateSchema),
  },
  { additionalProperties: false },
);
export type ReviewQueryInput = Static<typeof ReviewQuery>;

export const ReviewDecisionBody = Type.Object(
  {
    decision: Type.Enum(['accept', 'reject'], {
      description: 'accept keeps the status; reject sets absent',
    }),
    notes: Type.Optional(Notes),
  },
  { additionalProperties: false },
);
export type ReviewDecisionInput = Static<typeof ReviewDecisionBody>;

export const ReviewItemSchema = Type.Object({
  ...recordFields,
  user_name: Type.String(),
  user_email: Type.String(),
  session_name: Type.String(),
});

export const ScanBody = Type.Object(
  {
    session_id: Uuid,
    code: Type.String({ minLength: 1, maxLength: 64, description: 'the 6 digits of the scanned code' }),
  },
  { additionalProperties: false },
);
export const ScanResultSchema = Type.Object({
  scan_ticket: Type.String({ description: 'give it to POST /attendance/check-in as scan_ticket' }),
  expires_at: IsoTime,
});

export const CodeSchema = Type.Object({
  code: Type.String(),
  code_mode: Type.Enum(['static', 'rotating']),
  step: nullableInteger({ description: 'floor(server_time / period); null for a static code' }),
  period_seconds: nullableInteger(),
  expires_at: Nullable(IsoTime),
  server_time: IsoTime,
  checkin_url: Type.String({ description: '{PUBLIC_URL}/c/{session_id}#k={code}: the QR content' }),
});

export const RecordIdParams = Type.Object({ record_id: Uuid }, { additionalProperties: false });
export const UserIdParams = Type.Object({ user_id: Uuid }, { additionalProperties: false });

export const PageQuery = Type.Object({ ...PaginationQuery }, { additionalProperties: false });
export const HistoryQuery = Type.Object(
  {
    ...PaginationQuery,
    start_date: Type.Optional(LocalDate),
    end_date: Type.Optional(LocalDate),
  },
  { additionalProperties: false },
);
export type HistoryFilter = Static<typeof HistoryQuery>;

export const HistoryItemSchema = Type.Object({
  ...recordFields,
  session_name: Type.String(),
  session_start_time: IsoTime,
  session_end_time: IsoTime,
});

export const SessionAttendanceItemSchema = Type.Object({
  ...recordFields,
  user_name: Type.String(),
  user_email: Type.String(),
});

export const RecordChangeSchema = Type.Object({
  change_id: Type.String(),
  record_id: Type.String(),
  action: Type.String({
    description: 'force_check_in, force_update, correction, review_accept, review_reject or absent_on_close',
  }),
  changed_by: Nullable(Type.String()),
  changed_by_name: Nullable(Type.String()),
  changed_at: IsoTime,
  old_status: Nullable(Type.String()),
  new_status: Nullable(Type.String()),
  old_notes: Nullable(Type.String()),
  new_notes: Nullable(Type.String()),
});

export const ActiveSessionSchema = Type.Object({
  ...publicSessionFields,
  checked_in: Type.Boolean(),
  record_id: Nullable(Type.String()),
  status: Type.Union([StatusSchema, Type.Null()]),
});

export const ReportSchema = Type.Object({
  session: SessionSchema,
  expected: Type.Integer(),
  counts: Type.Object({
    present: Type.Integer(),
    late: Type.Integer(),
    absent: Type.Integer(),
    excused: Type.Integer(),
  }),
  checked_in: Type.Integer({ description: 'present + late' }),
  flagged: Type.Integer({ description: 'records with any flag' }),
  pending_review: Type.Integer({ description: 'flagged records awaiting a decision' }),
  not_checked_in: Type.Integer({ description: 'expected - checked_in, never below 0' }),
  attendance_rate: nullableNumber({
    description: '(present + late) / expected in [0, 1]; null when expected is 0',
  }),
});
