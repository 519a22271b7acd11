/** Stored answers of requests sent with an Idempotency-Key, per user, key and route. */
import { isUniqueViolation } from '../db/errors.js';
import type { Db } from '../db/types.js';
import type { IdempotencyKeyRow } from '../modules/attendance/attendance.table.js';

export interface KeyRef {
  userId: string;
  key: string;
  route: string;
}

/** status_code of a claimed key whose request has not finished yet. */
export const IN_PROGRESS = 0;

export const idempotencyRepository = {
  /** Inserts the claim; false when the key already exists (used before, or in use right now). */
  async claim(db: Db, r: KeyRef, hash: string, now: number): Promise<boolean> {
    try {
      await db
        .insertInto('idempotency_keys')
        .values({
          user_id: r.userId,
          idem_key: r.key,
          route: r.route,
          request_hash: hash,
          status_code: IN_PROGRESS,
          response_body: '',
          created_at: now,
        })
        .execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  },

  find(db: Db, r: KeyRef): Promise<IdempotencyKeyRow | undefined> {
    return db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('user_id', '=', r.userId)
      .where('idem_key', '=', r.key)
      .where('route', '=', r.route)
      .executeTakeFirst();
  },

  /** Re-claims an abandoned claim; only one of several concurrent callers succeeds. */
  async takeOver(db: Db, r: KeyRef, claimedAt: number, now: number): Promise<boolean> {
    const res = await db
      .updateTable('idempotency_keys')
      .set({ created_at: now })
      .where('user_id', '=', r.userId)
      .where('idem_key', '=', r.key)
      .where('route', '=', r.route)
      .where('status_code', '=', IN_PROGRESS)
      .where('created_at', '=', claimedAt)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },

  async complete(db: Db, r: KeyRef, status: number, body: string): Promise<void> {
    await db
      .updateTable('idempotency_keys')
      .set({ status_code: status, response_body: body })
      .where('user_id', '=', r.userId)
      .where('idem_key', '=', r.key)
      .where('route', '=', r.route)
      .execute();
  },

  async release(db: Db, r: KeyRef): Promise<void> {
    await db
      .deleteFrom('idempotency_keys')
      .where('user_id', '=', r.userId)
      .where('idem_key', '=', r.key)
      .where('route', '=', r.route)
      .where('status_code', '=', IN_PROGRESS)
      .execute();
  },

  /** Maintenance: keys only protect retries of a request, which happen within minutes. */
  async deleteOlderThan(db: Db, before: number): Promise<number> {
    const res = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  },
};
