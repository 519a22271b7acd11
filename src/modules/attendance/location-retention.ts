/**
 * LOCATION_RETENTION_DAYS (API.md Part 2): raw coordinates and device hashes of records older than
 * the limit are erased; distance_m, flags and the decision stay. The scheduler calls
 * `eraseOldLocations` on time; `npm run cli -- erase-locations` runs it by hand.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

const DAY_MS = 86_400_000;

/** Returns how many records lost their coordinates or device hash. `days` undefined: keep all (0). */
export async function eraseOldLocations(
  db: Kysely<Database>,
  days: number | undefined,
  now: number = Date.now(),
): Promise<number> {
  if (days === undefined) return 0;
  const before = now - days * DAY_MS;
  const res = await db
    .updateTable('attendance_records')
    .set({
      check_in_lat: null,
      check_in_lon: null,
      check_out_lat: null,
      check_out_lon: null,
      device_hash: null,
    })
    .where('created_at', '<', before)
    .where((eb) =>
      eb.or([
        eb('check_in_lat', 'is not', null),
        eb('check_in_lon', 'is not', null),
        eb('check_out_lat', 'is not', null),
        eb('check_out_lon', 'is not', null),
        eb('device_hash', 'is not', null),
      ]),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
