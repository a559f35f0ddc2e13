import { DynamicModule, Module } from '@nestjs/common';
import { DeliveryStoreModule, WebhookEndpoints, WebhookSigningKeys } from '@conduit/webhooks';
import { WebhookDispatcher } from './webhook.dispatcher';
import { WebhookReconciler } from './webhook.reconciler';
import { WEBHOOK_DELIVERY_SETTINGS, WebhookDeliverySettings } from './webhooks.constants';

/**
 * The `webhook.deliver` worker side: signing, sending, the retry schedule, the delivery log and
 * recovery of lost deliveries. The worker module imports it for the handler's {@link WebhookDispatcher}.
 */
@Module({})
export class WebhooksModule {
  static register(settings: WebhookDeliverySettings): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [DeliveryStoreModule],
      providers: [{ provide: WEBHOOK_DELIVERY_SETTINGS, useValue: settings }, WebhookSigningKeys, WebhookEndpoints, WebhookDispatcher, WebhookReconciler],
      exports: [WebhookDispatcher, DeliveryStoreModule],
    };
  }
}
