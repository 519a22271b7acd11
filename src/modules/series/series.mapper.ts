/** The API face of a session series, and the settings it keeps for its sessions. */
import { toIso } from '../../lib/time.js';
import { foldLocationAliases } from '../sessions/location-aliases.js';
import type { UpdateSessionInput } from '../sessions/sessions.schemas.js';
import type { SeriesDto } from './series.schemas.js';
import type { SessionSeriesRow } from './series.table.js';

/** The session settings a series stores and applies (aliases folded into location_*). */
export const SETTING_KEYS = [
  'location_lat',
  'location_lon',
  'location_radius',
  'geofence',
  'late_after_minutes',
  'checkin_opens_minutes',
  'require_code',
  'code',
  'code_mode',
  'code_period_seconds',
  'boundary_policy',
] as const;
export type Settings = Partial<Pick<UpdateSessionInput, (typeof SETTING_KEYS)[number]>>;

/**
 * An alias that differs from its field is not this function's to report: the request validator
 * (x-session-rules) and resolveSessionFields, which every series body goes through before anything
 * is stored, refuse it.
 */
export function settingsOf(body: UpdateSessionInput): Settings {
  const folded = foldLocationAliases(body).body;
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) if (folded[key] !== undefined) out[key] = folded[key];
  return out as Settings;
}

/** Who runs the series (stored as JSON). */
export const teachersOf = (row: SessionSeriesRow): string[] => JSON.parse(row.teacher_ids);

export function toSeriesDto(row: SessionSeriesRow, sessionCount: number): SeriesDto {
  const { require_code: _r, code: _c, ...settings } = JSON.parse(row.settings) as Settings;
  return {
    series_id: row.series_id,
    org_id: row.org_id,
    session_name: row.session_name,
    description: row.description,
    group_id: row.group_id,
    teacher_ids: teachersOf(row),
    weekdays: row.weekdays.split(',').map(Number),
    start_date: row.start_date,
    end_date: row.end_date,
    start_local: row.start_local,
    end_local: row.end_local,
    interval_weeks: row.interval_weeks,
    skip_dates: JSON.parse(row.skip_dates),
    timezone: row.timezone,
    settings: settings as SeriesDto['settings'],
    session_count: sessionCount,
    created_by: row.created_by,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
    is_active: Boolean(row.is_active),
  };
}
