import type { Insertable, Selectable } from 'kysely';

/**
 * `event`: a change, fanned out by the worker (webhook rows, warning evaluation) in one transaction.
 * `webhook`: one signed POST to one endpoint (target_id = webhook_id); payload is the exact body.
 * `email`: one message (payload: to, subject, text, html).
 */
export type OutboxChannel = 'event' | 'webhook' | 'email';
export type OutboxState = 'pending' | 'delivered' | 'failed' | 'skipped';

export interface OutboxTable {
  message_id: string;
  org_id: string | null;
  channel: OutboxChannel;
  topic: string;
  target_id: string | null;
  payload: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  /** Retries stop once the retry window after this has passed; a manual retry restarts it. */
  window_start: number;
  /** A worker's claim: others leave the row alone until then (a dead worker's claim simply expires). */
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}
export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Insertable<OutboxTable>;
