/**
 * LOCATION_RETENTION_DAYS (API.md Part 2): raw coordinates and device hashes of records older than
 * the limit are erased; distance_m, flags and the decision stay. The scheduler runs
 * `eraseLocationsJob` hourly; `npm run cli -- erase-locations` runs the same erasure by hand.
 *
 * The erasure goes organization by organization in batches along (org_id, created_at), the index
 * the records already have, so no statement holds the write lock for long (SQLite has one writer,
 * and check-ins wait behind it). Erasing is not an attendance change: no attendance fact moves, no
 * webhook or live event carries coordinates, so it announces nothing on the change bus.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { JobDefinition } from '../../lib/jobs.js';

const DAY_MS = 86_400_000;
const BATCH = 1_000;

export interface EraseOptions {
  /** Between batches; false stops the erasure (the scheduler's lease was lost). */
  renew?: () => Promise<boolean>;
  batchSize?: number;
}

/** Returns how many records lost their coordinates or device hash. `days` undefined: keep all (0). */
export async function eraseOldLocations(
  db: Kysely<Database>,
  days: number | undefined,
  now: number = Date.now(),
  opts: EraseOptions = {},
): Promise<number> {
  if (days === undefined) return 0;
  const before = now - days * DAY_MS;
  const size = opts.batchSize ?? BATCH;
  let erased = 0;
  const orgs = await db.selectFrom('organizations').select('org_id').execute();
  for (const { org_id } of orgs) {
    for (;;) {
      const batch = await db
        .selectFrom('attendance_records')
        .select('record_id')
        .where('org_id', '=', org_id)
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
        .orderBy('created_at')
        .limit(size)
        .execute();
      if (batch.length === 0) break;
      const res = await db
        .updateTable('attendance_records')
        .set({
          check_in_lat: null,
          check_in_lon: null,
          check_out_lat: null,
          check_out_lon: null,
          device_hash: null,
        })
        .where(
          'record_id',
          'in',
          batch.map((r) => r.record_id),
        )
        .executeTakeFirst();
      erased += Number(res.numUpdatedRows);
      if (batch.length < size) break;
      if (opts.renew && !(await opts.renew())) return erased;
    }
  }
  return erased;
}

/** The scheduler's hourly erasure; not registered when LOCATION_RETENTION_DAYS is unset. */
export function eraseLocationsJob(db: Kysely<Database>, days: number): JobDefinition {
  return {
    name: 'erase-expired-coordinates',
    intervalMs: 3_600_000,
    async run(ctx) {
      return { records_erased: await eraseOldLocations(db, days, ctx.now(), { renew: ctx.renew }) };
    },
  };
}
