import { z } from 'zod';
import { WEBHOOK_TEST_EVENT, webhookEventTypeSchema } from '@conduit/contracts';
import type { WebhookEndpoint } from '@conduit/db';
import { MAX_WEBHOOK_URL_LENGTH } from '@conduit/webhooks';
import { unixSeconds } from '../sessions/list-page';

const url = z.string().min(1, 'url is required').max(MAX_WEBHOOK_URL_LENGTH, `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
const eventTypes = z
  .array(webhookEventTypeSchema)
  .min(1, 'event_types must name at least one event type')
  .max(32)
  .transform((types) => [...new Set(types)].sort());
const description = z.string().max(500, 'description must be at most 500 characters').nullable();

/** `POST /v1/webhook-endpoints`. */
export const createEndpointBodySchema = z
  .strictObject({ url, event_types: eventTypes, description: description.optional() })
  .transform((body) => ({ url: body.url, eventTypes: body.event_types, description: body.description ?? null }));
export type CreateEndpointBody = z.output<typeof createEndpointBodySchema>;

/** `PATCH /v1/webhook-endpoints/{id}`: any of the fields; `enabled: true` also lifts a `410 Gone` disable. */
export const updateEndpointBodySchema = z
  .strictObject({ url: url.optional(), event_types: eventTypes.optional(), description: description.optional(), enabled: z.boolean().optional() })
  .refine((body) => Object.keys(body).length > 0, 'name at least one of url, event_types, description, enabled')
  .transform((body) => ({ url: body.url, eventTypes: body.event_types, description: body.description, enabled: body.enabled }));
export type UpdateEndpointBody = z.output<typeof updateEndpointBodySchema>;

/** `POST /v1/webhook-endpoints/{id}/test`: nothing, or `{}`. */
export const testEndpointBodySchema = z.strictObject({}).optional();

export interface RegisteredEndpointObject {
  id: string;
  object: 'webhook_endpoint';
  url: string;
  description: string | null;
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  /** Unix seconds until which the previous secret still signs (a second `v1,` signature); null outside a rotation. */
  previous_secret_expires_at: number | null;
  created_at: number;
  updated_at: number;
  rotated_at: number | null;
  /** Only in the answers to registration and rotation: store it, it is never shown again. */
  secret?: string;
}

export interface WebhookTestObject {
  object: 'webhook_endpoint.test';
  endpoint_id: string;
  /** The `webhook-id` of the test event; it is delivered, retried and logged like any other. */
  delivery_id: string;
  event_type: typeof WEBHOOK_TEST_EVENT;
}

export function toRegisteredEndpointObject(endpoint: WebhookEndpoint, secret?: string, now = Date.now()): RegisteredEndpointObject {
  const overlap = endpoint.previousExpiresAt !== null && endpoint.previousExpiresAt.getTime() > now;
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    url: endpoint.url,
    description: endpoint.description,
    event_types: endpoint.eventTypes,
    enabled: endpoint.disabledAt === null,
    disabled_reason: endpoint.disabledReason,
    previous_secret_expires_at: overlap && endpoint.previousExpiresAt ? unixSeconds(endpoint.previousExpiresAt) : null,
    created_at: unixSeconds(endpoint.createdAt),
    updated_at: unixSeconds(endpoint.updatedAt),
    rotated_at: endpoint.rotatedAt ? unixSeconds(endpoint.rotatedAt) : null,
    ...(secret !== undefined ? { secret } : {}),
  };
}
