import { DynamicModule, Module } from '@nestjs/common';
import { DeliveryStoreModule, WebhookEndpoints, WebhookSigningKeys } from '@conduit/webhooks';
import { SecretsResealer } from './secrets.resealer';
import { WebhookEndpointsController } from './webhook-endpoints.controller';
import { WEBHOOK_ENDPOINTS_OPTIONS, WebhookEndpointsOptions } from './webhook-endpoints.constants';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhooksController } from './webhooks.controller';

/**
 * The endpoints store (one instance, one cache), exported for the jobs API, which refuses
 * disabled endpoints. Needs the keyring (`SecretKeyringModule`).
 */
@Module({
  providers: [WebhookSigningKeys, WebhookEndpoints],
  exports: [WebhookSigningKeys, WebhookEndpoints],
})
export class WebhooksModule {}

/**
 * The tenant-admin API: `/v1/webhook-endpoints` (registered endpoints) and `/v1/webhooks` (the
 * tenant's signing key of jobs' own `webhook_url`s, implicit endpoints). At start-up it seals
 * plaintext secrets left from before encryption ({@link SecretsResealer}).
 */
@Module({})
export class WebhooksApiModule {
  static register(options: WebhookEndpointsOptions): DynamicModule {
    return {
      module: WebhooksApiModule,
      imports: [WebhooksModule, DeliveryStoreModule],
      controllers: [WebhooksController, WebhookEndpointsController],
      providers: [{ provide: WEBHOOK_ENDPOINTS_OPTIONS, useValue: options }, WebhookEndpointsService, SecretsResealer],
    };
  }
}
