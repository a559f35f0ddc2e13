import { z } from 'zod';
import type { WebhookEndpoint } from '@conduit/db';
import type { TenantSigningKey } from '@conduit/webhooks';
import { unixSeconds } from '../sessions/list-page';

export const MAX_GRACE_PERIOD_S = 7 * 86_400;

/** `POST /v1/webhooks/secret/rotate`: how long the old secret keeps verifying (default a day; 0 = at once). */
export const rotateSecretBodySchema = z
  .strictObject({
    grace_period_seconds: z
      .number()
      .int()
      .min(0, 'grace_period_seconds must be between 0 and 604800')
      .max(MAX_GRACE_PERIOD_S, 'grace_period_seconds must be between 0 and 604800')
      .optional(),
  })
  .optional()
  .transform((body) => ({ gracePeriodS: body?.grace_period_seconds ?? 86_400 }));
export type RotateSecretBody = z.output<typeof rotateSecretBodySchema>;

export interface WebhookSecretObject {
  object: 'webhook_secret';
  /** Signs every webhook of the tenant. */
  secret: string;
  /** Still signed with (a second `v1,` signature) until `previous_expires_at`. */
  previous_secret: string | null;
  previous_expires_at: number | null;
  created_at: number;
  rotated_at: number | null;
}

export interface WebhookEndpointObject {
  id: string;
  object: 'webhook_endpoint';
  url: string;
  disabled: boolean;
  disabled_at: number | null;
  disabled_reason: string | null;
  created_at: number;
}

export function toSecretObject(key: TenantSigningKey, now = Date.now()): WebhookSecretObject {
  const previousValid = key.previousSecret !== null && key.previousExpiresAt !== null && key.previousExpiresAt.getTime() > now;
  return {
    object: 'webhook_secret',
    secret: key.secret,
    previous_secret: previousValid ? key.previousSecret : null,
    previous_expires_at: previousValid && key.previousExpiresAt ? unixSeconds(key.previousExpiresAt) : null,
    created_at: unixSeconds(key.createdAt),
    rotated_at: key.rotatedAt ? unixSeconds(key.rotatedAt) : null,
  };
}

export function toEndpointObject(endpoint: WebhookEndpoint): WebhookEndpointObject {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    url: endpoint.url,
    disabled: endpoint.disabledAt !== null,
    disabled_at: endpoint.disabledAt ? unixSeconds(endpoint.disabledAt) : null,
    disabled_reason: endpoint.disabledReason,
    created_at: unixSeconds(endpoint.createdAt),
  };
}
