/**
 * The outbox worker. Changes announce themselves on the change bus; inside the writer's transaction
 * each becomes an `event` row (so a message exists if and only if the change committed). The worker
 * claims due rows with a lease (several processes may run it: the claim is a conditional UPDATE),
 * fans events out to delivery rows (webhooks, warnings → email) in one transaction, and delivers
 * those over the network. A row is `delivered` only after the receiver accepted it; failures are
 * retried with exponential backoff until the retry window (24 h by default) has passed, then `failed`.
 * A crash between commit and delivery leaves the row `pending`: the next worker delivers it.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../../db/connection.js';
import type { Database } from '../../db/schema.js';
import type { Db, Tx } from '../../db/types.js';
import type { ChangeBus, ChangeEvent } from '../../lib/change-events.js';
import { type OutboxMessage, outboxRepository as repo } from './outbox.repository.js';
import type { OutboxChannel, OutboxRow } from './outbox.table.js';

export type DeliveryResult =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; error: string }
  | { outcome: 'skipped'; reason: string };
export type Deliverer = (row: OutboxRow, now: number) => Promise<DeliveryResult>;

/** An event as stored in the outbox: what webhooks and warnings need to find the rest. */
export interface StoredEvent {
  type: string;
  org_id: string | null;
  at: string;
  actor_id: string | null;
  [k: string]: unknown;
}
export type EventDispatcher = (trx: Tx, event: StoredEvent, row: OutboxRow, now: number) => Promise<void>;
/**
 * Which event types of an organization a fan-out step acts on now, asked inside the writer's
 * transaction. An event that no step wants is not stored: most check-ins go to no webhook, and an
 * event row cost each of them an insert, a claim and a settle (BENCHMARKS.md, round two). So a
 * webhook receives the changes committed after it was created, not those still queued then.
 */
export type EventInterest = (trx: Db, orgId: string | null) => Promise<(type: string) => boolean>;

export interface OutboxOptions {
  db: Kysely<Database>;
  /** SQLite and PostgreSQL claim a pass's rows in one statement; MariaDB (and unknown) row by row. */
  dialect?: DialectName;
  /** How long a failing message is retried before it is marked failed. */
  retryWindowMs: number;
  /** First retry delay; doubles per attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  leaseMs?: number;
  onError?: (err: unknown, row?: OutboxRow) => void;
}

export interface DeliverStats {
  delivered: number;
  retried: number;
  failed: number;
  skipped: number;
}

/** The public event types (webhook `type`); a change without one is not published. */
export function eventOf(e: ChangeEvent): StoredEvent | null {
  const base = { org_id: e.orgId, at: e.at.toISOString(), actor_id: e.actorId };
  switch (e.type) {
    case 'record':
      return {
        ...base,
        type: e.kind === 'created' ? 'attendance.recorded' : 'attendance.changed',
        record_id: e.recordId,
        session_id: e.sessionId,
        user_id: e.userId,
        cause: e.cause,
      };
    case 'session':
      return e.state === 'closed' ? { ...base, type: 'session.closed', session_id: e.sessionId } : null;
    case 'user.created':
      return { ...base, type: 'user.created', user_id: e.userId };
  }
}

export function backoffMs(attempt: number, base: number, max: number): number {
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  // ±20 % jitter so endpoints that failed together do not retry in lockstep.
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

export function createOutbox(opts: OutboxOptions) {
  const { db } = opts;
  const base = opts.baseDelayMs ?? 10_000;
  const max = opts.maxDelayMs ?? 3_600_000;
  const leaseMs = opts.leaseMs ?? 60_000;
  const deliverers = new Map<OutboxChannel, Deliverer>();
  const dispatchers: EventDispatcher[] = [];
  const interests: EventInterest[] = [];

  async function deliverOne(row: OutboxRow, now: number, stats: DeliverStats): Promise<void> {
    if (row.channel === 'event') {
      const event = JSON.parse(row.payload) as StoredEvent;
      // Fan-out and settling in one transaction: a crash redoes the whole fan-out, never half of it.
      await db.transaction().execute(async (trx) => {
        for (const d of dispatchers) await d(trx, event, row, now);
        await repo.settle(trx, row.message_id, { state: 'delivered', attempts: row.attempts + 1 }, now);
      });
      stats.delivered++;
      return;
    }
    const deliver = deliverers.get(row.channel);
    const result: DeliveryResult = deliver
      ? await deliver(row, now).catch((err: unknown) => ({ outcome: 'retry' as const, error: String(err) }))
      : { outcome: 'retry', error: `no deliverer for ${row.channel}` };
    const attempts = row.attempts + 1;
    // A test (or a late pass) may run "in the future": settle no earlier than the pass.
    const at = Math.max(Date.now(), now);
    if (result.outcome === 'delivered') {
      await repo.settle(db, row.message_id, { state: 'delivered', attempts }, at);
      stats.delivered++;
    } else if (result.outcome === 'skipped') {
      await repo.settle(
        db,
        row.message_id,
        { state: 'skipped', attempts, error: `skipped: ${result.reason}` },
        at,
      );
      stats.skipped++;
    } else if (at - Number(row.window_start) >= opts.retryWindowMs) {
      await repo.settle(db, row.message_id, { state: 'failed', attempts, error: result.error }, at);
      stats.failed++;
    } else {
      const nextAttemptAt = at + backoffMs(attempts, base, max);
      await repo.settle(
        db,
        row.message_id,
        { state: 'pending', attempts, nextAttemptAt, error: result.error },
        at,
      );
      stats.retried++;
    }
  }

  async function claim(ids: string[], now: number): Promise<OutboxRow[]> {
    if (opts.dialect === 'sqlite' || opts.dialect === 'postgres')
      return repo.claimMany(db, ids, now, leaseMs);
    const claimed: OutboxRow[] = [];
    for (const id of ids) {
      const row = await repo.claim(db, id, now, leaseMs);
      if (row) claimed.push(row);
    }
    return claimed;
  }

  /**
   * The fan-out of a pass's events in one transaction (one commit for up to `limit` events, where a
   * transaction per event cost a commit each). When it fails, nothing of it stays and the rows it
   * held are returned, to go through one by one so a bad event fails alone.
   */
  async function fanOutTogether(rows: OutboxRow[], now: number, stats: DeliverStats): Promise<OutboxRow[]> {
    if (rows.length < 2) return rows;
    try {
      await db.transaction().execute(async (trx) => {
        for (const row of rows) {
          const event = JSON.parse(row.payload) as StoredEvent;
          for (const d of dispatchers) await d(trx, event, row, now);
        }
        await repo.settleDelivered(
          trx,
          rows.map((r) => r.message_id),
          now,
        );
      });
      stats.delivered += rows.length;
      return [];
    } catch {
      return rows;
    }
  }

  const outbox = {
    /** Registers how a channel's rows go out (webhook, email). */
    deliverer(channel: Exclude<OutboxChannel, 'event'>, fn: Deliverer) {
      deliverers.set(channel, fn);
    },
    /**
     * Registers a fan-out step for event rows (runs in the transaction that settles the event) and
     * what it wants stored in the first place.
     */
    onEvent(fn: EventDispatcher, wants: EventInterest) {
      dispatchers.push(fn);
      interests.push(wants);
    },
    /** Writes outbox rows of the change bus's events inside the writer's transaction. */
    subscribe(changes: ChangeBus) {
      changes.onWrite(async (trx, events) => {
        const rows: OutboxMessage[] = [];
        // A close writes an event per absence, all of one org: each step is asked once per org.
        const wantedIn = new Map<string | null, ((type: string) => boolean)[]>();
        for (const e of events) {
          const ev = eventOf(e);
          if (!ev) continue;
          let wanted = wantedIn.get(ev.org_id);
          if (!wanted) {
            wanted = [];
            for (const interest of interests) wanted.push(await interest(trx, ev.org_id));
            wantedIn.set(ev.org_id, wanted);
          }
          if (wanted.some((wants) => wants(ev.type)))
            rows.push({ orgId: e.orgId, channel: 'event', topic: ev.type, payload: ev });
        }
        await repo.enqueue(trx, rows, Date.now());
      });
    },
    /** Writes an event of this module's own (warning.triggered) in the caller's transaction. */
    emit(trx: Db, event: StoredEvent, now: number) {
      return repo.enqueue(
        trx,
        [{ orgId: event.org_id, channel: 'event', topic: event.type, payload: event }],
        now,
      );
    },
    enqueue: (trx: Db, messages: readonly OutboxMessage[], now: number) => repo.enqueue(trx, messages, now),

    /** One pass: claims up to `limit` due rows and delivers them (events first, then what they fanned out). */
    async deliverDue(now = Date.now(), limit = 50): Promise<DeliverStats> {
      const stats: DeliverStats = { delivered: 0, retried: 0, failed: 0, skipped: 0 };
      for (let round = 0; round < 3; round++) {
        const ids = await repo.dueIds(db, now, limit);
        if (ids.length === 0) break;
        const claimed = await claim(
          ids.map((r) => r.message_id),
          now,
        );
        // Events first, together: their fan-out rows are due now and go out in the next round.
        const events = claimed.filter((r) => r.channel === 'event');
        const failedEvents = await fanOutTogether(events, now, stats);
        const work = [...failedEvents, ...claimed.filter((r) => r.channel !== 'event')].map((row) =>
          deliverOne(row, now, stats).catch(async (err) => {
            opts.onError?.(err, row);
            const attempts = row.attempts + 1;
            await repo
              .settle(
                db,
                row.message_id,
                {
                  state: 'pending',
                  attempts,
                  nextAttemptAt: now + backoffMs(attempts, base, max),
                  error: String(err),
                },
                now,
              )
              .catch(() => {});
          }),
        );
        await Promise.all(work);
        if (ids.length < limit && !claimed.some((r) => r.channel === 'event')) break;
      }
      return stats;
    },

    depth: () => repo.depth(db),
  };
  return outbox;
}
export type Outbox = ReturnType<typeof createOutbox>;
