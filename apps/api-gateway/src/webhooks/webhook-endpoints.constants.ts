import type { Resolver, WebhookTargetPolicy } from '@conduit/webhooks';

export const WEBHOOK_ENDPOINTS_OPTIONS = Symbol('WEBHOOK_ENDPOINTS_OPTIONS');

export interface WebhookEndpointsOptions {
  /** Where endpoint URLs may point (checked, DNS included, on registration and URL change). */
  policy: WebhookTargetPolicy;
  /** DNS for the URL check; tests replace it. */
  resolver?: Resolver;
}
