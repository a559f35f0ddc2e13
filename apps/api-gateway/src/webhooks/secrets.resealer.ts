import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { WebhookEndpoints, WebhookSigningKeys } from '@conduit/webhooks';

/**
 * At start-up, seals webhook secrets still stored in plain text (rows from before encryption) and
 * re-encrypts those under an older key of the keyring. Cheap when there is nothing to do (one
 * indexed query per table). `admin rotate-secrets-key` does the same on demand.
 */
@Injectable()
export class SecretsResealer implements OnApplicationBootstrap {
  private readonly logger = new Logger(SecretsResealer.name);

  constructor(
    private readonly keys: WebhookSigningKeys,
    private readonly endpoints: WebhookEndpoints,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const keys = await this.keys.resealAll();
    const endpoints = await this.endpoints.resealAll();
    if (keys + endpoints > 0) this.logger.log({ signing_keys: keys, endpoints }, 'webhook secrets sealed under the current key');
  }
}
