/** Outbox rows: written inside the transaction of a change, claimed and settled by the worker. */
import type { Db } from '../../db/types.js';
import { newId } from '../../lib/ids.js';
import type { OutboxChannel, OutboxRow, OutboxState } from './outbox.table.js';

export interface OutboxMessage {
  orgId: string | null;
  channel: OutboxChannel;
  topic: string;
  targetId?: string | null;
  payload: unknown;
}

/** Errors kept on a row are for people reading the delivery log, not a dump. */
export const clip = (s: string, max = 1024) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export const outboxRepository = {
  async enqueue(db: Db, messages: readonly OutboxMessage[], now: number): Promise<string[]> {
    if (messages.length === 0) return [];
    const rows = messages.map((m) => ({
      message_id: newId(),
      org_id: m.orgId,
      channel: m.channel,
      topic: m.topic,
      target_id: m.targetId ?? null,
      payload: typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload),
      state: 'pending' as const,
      attempts: 0,
      next_attempt_at: now,
      window_start: now,
      locked_until: null,
      last_error: null,
      created_at: now,
      updated_at: now,
      delivered_at: null,
    }));
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('outbox')
        .values(rows.slice(i, i + 200))
        .execute();
    return rows.map((r) => r.message_id);
  },

  /** Ids of due rows, oldest first; events before deliveries so a fan-out is not starved. */
  dueIds(db: Db, now: number, limit: number) {
    return db
      .selectFrom('outbox')
      .select('message_id')
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
  },

  /** Claims one row for `leaseMs`; false when another worker holds or settled it meanwhile. */
  async claim(db: Db, messageId: string, now: number, leaseMs: number): Promise<OutboxRow | undefined> {
    const r = await db
      .updateTable('outbox')
      .set({ locked_until: now + leaseMs })
      .where('message_id', '=', messageId)
      .where('state', '=', 'pending')
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return undefined;
    return db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirst();
  },

  /**
   * Claims many rows in one statement (one commit, where a claim per row cost a commit each: on
   * SQLite with synchronous=FULL, an fsync per check-in's event). The rows the UPDATE took come back
   * by RETURNING, so a row another worker holds or settled meanwhile is simply not among them.
   * SQLite and PostgreSQL only (MariaDB has no UPDATE … RETURNING): the caller claims row by row there.
   */
  claimMany(db: Db, messageIds: readonly string[], now: number, leaseMs: number): Promise<OutboxRow[]> {
    return db
      .updateTable('outbox')
      .set({ locked_until: now + leaseMs })
      .where('message_id', 'in', messageIds)
      .where('state', '=', 'pending')
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .returningAll()
      .execute();
  },

  /** Marks event rows delivered after their fan-out, in the fan-out's transaction. */
  async settleDelivered(db: Db, messageIds: readonly string[], now: number): Promise<void> {
    await db
      .updateTable('outbox')
      .set((eb) => ({
        state: 'delivered',
        attempts: eb('attempts', '+', 1),
        next_attempt_at: now,
        locked_until: null,
        last_error: null,
        updated_at: now,
        delivered_at: now,
      }))
      .where('message_id', 'in', messageIds)
      .execute();
  },

  async settle(
    db: Db,
    messageId: string,
    patch: { state: OutboxState; attempts: number; nextAttemptAt?: number; error?: string | null },
    now: number,
  ): Promise<void> {
    await db
      .updateTable('outbox')
      .set({
        state: patch.state,
        attempts: patch.attempts,
        next_attempt_at: patch.nextAttemptAt ?? now,
        locked_until: null,
        last_error: patch.error === undefined || patch.error === null ? null : clip(patch.error),
        updated_at: now,
        delivered_at: patch.state === 'delivered' ? now : null,
      })
      .where('message_id', '=', messageId)
      .execute();
  },

  /** Messages waiting to go out (the metrics' outbox depth). */
  async depth(db: Db): Promise<number> {
    const r = await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** A manual retry: due now, with a fresh retry window; false when it is being delivered right now. */
  async requeue(db: Db, messageId: string, now: number): Promise<boolean> {
    const r = await db
      .updateTable('outbox')
      .set({ state: 'pending', next_attempt_at: now, window_start: now, updated_at: now, delivered_at: null })
      .where('message_id', '=', messageId)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  findById(db: Db, messageId: string) {
    return db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirst();
  },
};
