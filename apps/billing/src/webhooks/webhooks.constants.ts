import type { WebhookSettings } from '@conduit/webhooks';

export const WEBHOOK_DELIVERY_SETTINGS = Symbol('WEBHOOK_DELIVERY_SETTINGS');

export interface WebhookDeliverySettings extends WebhookSettings {
  /** How often stuck pending deliveries are looked for; 0 turns it off. */
  reconcileIntervalMs: number;
  /** How long past its due time a pending delivery may be before it is looked at. */
  reconcileGraceMs: number;
}
