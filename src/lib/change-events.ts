/**
 * The one place changes of attendance data are announced. Writers (the attendance record writer,
 * session close/cancel/update, user creation) call `changes.write(trx, events)` inside the transaction
 * of the change, and `changes.committed(events)` after it commits. Subscribers:
 *   - `onWrite`: runs inside the writer's transaction (the outbox of webhooks and warnings: a message
 *     exists if and only if the change committed). A throw here rolls the change back.
 *   - `onCommitted`: runs after the commit, in this process (the live feed fans out from here, to
 *     Redis or cluster peers). A throw here is logged by the caller and never undoes the change.
 * Events carry ids and the facts subscribers filter on; a subscriber reads anything else it needs.
 * With `store_coordinates=false` no event may carry raw coordinates (API.md Part 2).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

export type RecordChangeKind = 'created' | 'changed';
export type SessionChangeState = 'updated' | 'closed' | 'cancelled';

export type ChangeEvent =
  | {
      type: 'record';
      kind: RecordChangeKind;
      orgId: string;
      sessionId: string;
      recordId: string;
      userId: string;
      /** What caused it: check_in, force_check_in, correction, review, close, check_out, erase. */
      cause: string;
      actorId: string | null;
      at: Date;
    }
  | {
      type: 'session';
      state: SessionChangeState;
      orgId: string;
      sessionId: string;
      actorId: string | null;
      at: Date;
    }
  | { type: 'user.created'; orgId: string; userId: string; actorId: string | null; at: Date };

export type WriteHook = (
  trx: Transaction<Database> | Kysely<Database>,
  events: readonly ChangeEvent[],
) => Promise<void>;
export type CommittedHook = (events: readonly ChangeEvent[]) => void;

export interface ChangeBus {
  onWrite(hook: WriteHook): void;
  onCommitted(hook: CommittedHook): void;
  /** Inside the transaction of the change. */
  write(trx: Transaction<Database> | Kysely<Database>, events: readonly ChangeEvent[]): Promise<void>;
  /** After the commit. Never throws: a failing subscriber must not turn a committed change into a 500. */
  committed(events: readonly ChangeEvent[]): void;
}

export function createChangeBus(onError: (err: unknown) => void = () => {}): ChangeBus {
  const writeHooks: WriteHook[] = [];
  const committedHooks: CommittedHook[] = [];
  return {
    onWrite: (hook) => void writeHooks.push(hook),
    onCommitted: (hook) => void committedHooks.push(hook),
    async write(trx, events) {
      if (events.length === 0) return;
      for (const hook of writeHooks) await hook(trx, events);
    },
    committed(events) {
      if (events.length === 0) return;
      for (const hook of committedHooks) {
        try {
          hook(events);
        } catch (err) {
          onError(err);
        }
      }
    },
  };
}
