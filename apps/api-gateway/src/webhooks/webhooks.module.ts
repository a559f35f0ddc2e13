import { Module } from '@nestjs/common';
import { WebhookEndpoints, WebhookSigningKeys } from '@conduit/webhooks';
import { WebhooksController } from './webhooks.controller';

/** `/v1/webhooks`: signing secret and endpoints of the caller's tenant. */
@Module({
  controllers: [WebhooksController],
  providers: [WebhookSigningKeys, WebhookEndpoints],
})
export class WebhooksModule {}
