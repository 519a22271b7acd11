import type { Selectable } from 'kysely';

export interface WebhooksTable {
  webhook_id: string;
  org_id: string;
  url: string;
  /** JSON array of event types. */
  events: string;
  description: string | null;
  /** AES-256-GCM under a key derived from SECRET_KEY (webhook-secrets.ts); never returned. */
  secret_enc: string;
  is_active: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}
export type WebhookRow = Selectable<WebhooksTable>;

export interface WebhookAttemptsTable {
  attempt_id: string;
  message_id: string;
  webhook_id: string;
  org_id: string;
  attempt: number;
  status_code: number | null;
  duration_ms: number;
  /** At most 1 KB of the receiver's answer. */
  response_body: string | null;
  error: string | null;
  created_at: number;
}
