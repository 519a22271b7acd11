/** The database as Kysely sees it: one interface per table, each owned by its module. */
import type {
  AttendanceRecordChangesTable,
  AttendanceRecordsTable,
  IdempotencyKeysTable,
  ScanTicketUsesTable,
} from '../modules/attendance/attendance.table.js';
import type { AuditLogTable } from '../modules/audit/audit.table.js';
import type { UserSessionsTable } from '../modules/auth/user-sessions.table.js';
import type { CalendarTokensTable } from '../modules/calendar/calendar.table.js';
import type { GroupMembersTable, GroupsTable } from '../modules/groups/groups.table.js';
import type { JobsTable } from '../modules/jobs/jobs.table.js';
import type { LiveEventsTable, LiveSessionSeqTable } from '../modules/live/live.table.js';
import type { OrganizationsTable } from '../modules/organizations/organizations.table.js';
import type { OutboxTable } from '../modules/outbox/outbox.table.js';
import type { JobLeasesTable } from '../modules/scheduler/job-leases.table.js';
import type { SessionSeriesTable } from '../modules/series/series.table.js';
import type { AttendanceSessionsTable, SessionTeachersTable } from '../modules/sessions/sessions.table.js';
import type {
  UserAttendanceMonthsTable,
  UserAttendanceOrgsTable,
} from '../modules/sessions/user-counts.table.js';
import type { UsersTable } from '../modules/users/users.table.js';
import type { WarningRulesTable, WarningsTable } from '../modules/warnings/warnings.table.js';
import type { WebhookAttemptsTable, WebhooksTable } from '../modules/webhooks/webhooks.table.js';

export interface Database {
  organizations: OrganizationsTable;
  users: UsersTable;
  user_sessions: UserSessionsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  attendance_sessions: AttendanceSessionsTable;
  session_teachers: SessionTeachersTable;
  session_series: SessionSeriesTable;
  calendar_tokens: CalendarTokensTable;
  attendance_records: AttendanceRecordsTable;
  attendance_record_changes: AttendanceRecordChangesTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
  scan_ticket_uses: ScanTicketUsesTable;
  job_leases: JobLeasesTable;
  outbox: OutboxTable;
  webhooks: WebhooksTable;
  webhook_attempts: WebhookAttemptsTable;
  warning_rules: WarningRulesTable;
  warnings: WarningsTable;
  jobs: JobsTable;
  live_session_seq: LiveSessionSeqTable;
  live_events: LiveEventsTable;
  user_attendance_months: UserAttendanceMonthsTable;
  user_attendance_orgs: UserAttendanceOrgsTable;
}
