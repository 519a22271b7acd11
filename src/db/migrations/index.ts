/** The ordered list of migrations. Static imports keep it working from source (tsx) and from dist. */
import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2026_11_25_0001_initial.js';
import * as reportIndexes from './2026_11_25_0002_report_indexes.js';
import * as exportKeyset from './2026_11_25_0003_export_keyset_index.js';
import * as sessionCounts from './2026_11_25_0004_session_counts.js';
import * as credentialsVersion from './2026_11_30_0005_credentials_version.js';
import * as refreshRotatedAt from './2026_11_30_0005a_refresh_rotated_at.js';
import * as checkinIntegrity from './2026_11_30_0006_checkin_integrity.js';
import * as sessionTeachers from './2026_11_30_0007_session_teachers.js';
import * as jobLeases from './2026_11_30_0007a_job_leases.js';
import * as auditIndexes from './2026_11_30_0008a_audit_indexes.js';
import * as outboxWebhooks from './2026_11_30_0008b_outbox_webhooks.js';
import * as warnings from './2026_11_30_0008c_warnings.js';
import * as jobs from './2026_11_30_0008d_jobs.js';
import * as sessionSeries from './2026_11_30_0010_session_series.js';
import * as liveEvents from './2026_11_30_0011_live_events.js';
import * as userAttendanceMonths from './2026_11_30_0012_user_attendance_months.js';

const migrations: Record<string, Migration> = {
  '2026_11_25_0001_initial': initial,
  '2026_11_25_0002_report_indexes': reportIndexes,
  '2026_11_25_0003_export_keyset_index': exportKeyset,
  '2026_11_25_0004_session_counts': sessionCounts,
  '2026_11_30_0005_credentials_version': credentialsVersion,
  '2026_11_30_0006_checkin_integrity': checkinIntegrity,
  '2026_11_30_0007_session_teachers': sessionTeachers,
  '2026_11_30_0008a_audit_indexes': auditIndexes,
  '2026_11_30_0005a_refresh_rotated_at': refreshRotatedAt,
  '2026_11_30_0007a_job_leases': jobLeases,
  '2026_11_30_0008b_outbox_webhooks': outboxWebhooks,
  '2026_11_30_0008c_warnings': warnings,
  '2026_11_30_0008d_jobs': jobs,
  '2026_11_30_0010_session_series': sessionSeries,
  '2026_11_30_0011_live_events': liveEvents,
  '2026_11_30_0012_user_attendance_months': userAttendanceMonths,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
