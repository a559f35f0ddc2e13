import { Module } from '@nestjs/common';
import { WebhookEndpoints, WebhookSigningKeys } from '@conduit/webhooks';
import { WebhooksController } from './webhooks.controller';

/**
 * `/v1/webhooks`: signing secret and endpoints of the caller's tenant. Exports the endpoints
 * service (one instance, one cache) for the jobs API, which refuses disabled endpoints.
 */
@Module({
  controllers: [WebhooksController],
  providers: [WebhookSigningKeys, WebhookEndpoints],
  exports: [WebhookEndpoints],
})
export class WebhooksModule {}
