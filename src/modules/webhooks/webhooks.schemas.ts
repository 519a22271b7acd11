import Type, { type Static } from 'typebox';
import { PaginationQuery } from '../../lib/pagination.js';
import { FreeText, Nullable, Uuid } from '../../lib/strings.js';

export const WEBHOOK_EVENTS = [
  'attendance.recorded',
  'attendance.changed',
  'session.closed',
  'warning.triggered',
  'user.created',
] as const;
export const WebhookEvent = Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e)));

const Url = Type.String({
  minLength: 8,
  maxLength: 2048,
  description: 'http(s) URL the events are POSTed to',
});
const Events = Type.Array(WebhookEvent, { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true });

export const WebhookSchema = Type.Object({
  webhook_id: Type.String(),
  org_id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Nullable(Type.String()),
  is_active: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type WebhookDto = Static<typeof WebhookSchema>;

/** Creation and rotation answer the secret once; it is never readable again. */
export const WebhookWithSecretSchema = Type.Object({
  ...WebhookSchema.properties,
  secret: Type.String({ description: 'whsec_<base64 of 32 bytes>; shown only in this answer' }),
});

export const CreateWebhookBody = Type.Object(
  {
    url: Url,
    events: Events,
    description: Type.Optional(Nullable(FreeText(500))),
    is_active: Type.Optional(Type.Boolean()),
    org_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type CreateWebhookInput = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Nullable(FreeText(500))),
    is_active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWebhookInput = Static<typeof UpdateWebhookBody>;

export const ListWebhooksQuery = Type.Object(
  { ...PaginationQuery, org_id: Type.Optional(Uuid) },
  { additionalProperties: false },
);
export type ListWebhooksQueryInput = Static<typeof ListWebhooksQuery>;

export const WebhookIdParams = Type.Object({ webhook_id: Uuid }, { additionalProperties: false });
export const DeliveryParams = Type.Object(
  { webhook_id: Uuid, delivery_id: Uuid },
  { additionalProperties: false },
);

export const DeliveryAttemptSchema = Type.Object({
  attempt: Type.Integer(),
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  duration_ms: Type.Integer(),
  response_body: Nullable(Type.String({ description: 'first 1 KB' })),
  error: Nullable(Type.String()),
  at: Type.String({ format: 'date-time' }),
});

export const DeliverySchema = Type.Object({
  delivery_id: Type.String({ description: 'also the webhook-id header, the same across retries' }),
  webhook_id: Type.String(),
  event_type: Type.String(),
  state: Type.Union([
    Type.Literal('pending'),
    Type.Literal('delivered'),
    Type.Literal('failed'),
    Type.Literal('skipped'),
  ]),
  attempts: Type.Integer(),
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Nullable(Type.String()),
  next_attempt_at: Nullable(Type.String({ format: 'date-time' })),
  created_at: Type.String({ format: 'date-time' }),
  delivered_at: Nullable(Type.String({ format: 'date-time' })),
  attempts_log: Type.Array(DeliveryAttemptSchema),
});
export type DeliveryDto = Static<typeof DeliverySchema>;

export const ListDeliveriesQuery = Type.Object(
  {
    ...PaginationQuery,
    state: Type.Optional(
      Type.Union([
        Type.Literal('pending'),
        Type.Literal('delivered'),
        Type.Literal('failed'),
        Type.Literal('skipped'),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type ListDeliveriesQueryInput = Static<typeof ListDeliveriesQuery>;
