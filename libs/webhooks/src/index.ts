export {
  DEFAULT_TOLERANCE_SECONDS,
  WEBHOOK_HEADERS,
  WEBHOOK_SECRET_PREFIX,
  WebhookSecretError,
  WebhookVerificationError,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookHeaders,
  webhookSecretKey,
} from './signing';
export type { VerifyOptions, WebhookMessage, WebhookVerificationFailure } from './signing';
export { ADDRESS_CLASS_DESCRIPTIONS, Cidr, classifyAddress } from './ip-address';
export type { AddressClass } from './ip-address';
export {
  MAX_WEBHOOK_URL_LENGTH,
  STRICT_TARGET_POLICY,
  WebhookTargetError,
  assertWebhookUrlAllowed,
  checkAddress,
  checkWebhookUrl,
  resolveWebhookHost,
  systemResolver,
} from './target-policy';
export type { Resolver, WebhookTargetErrorCode, WebhookTargetPolicy } from './target-policy';
export { WebhookSender } from './webhook.sender';
export { guardedLookup } from './guarded-lookup';
export type { GuardedLookup, LookupCallback } from './guarded-lookup';
export type { WebhookSendOutcome, WebhookSendRequest, WebhookSendResult, WebhookSenderOptions } from './webhook.sender';
export { DEFAULT_WEBHOOK_RETRY, nextWebhookAttemptAt, webhookRetryDelayMs } from './retry-schedule';
export type { WebhookRetrySettings } from './retry-schedule';
export {
  refuseInsecureWebhookTargets,
  webhookDeliveryEnv,
  webhookSettings,
  webhookTargetEnv,
  webhookTargetPolicy,
  webhooksEnv,
} from './webhooks.config';
export type { WebhookSettings, WebhooksEnv } from './webhooks.config';
export { WebhookSigningKeys, validSecrets } from './webhook-signing-keys';
export type { TenantSigningKey } from './webhook-signing-keys';
export { WebhookEndpoints } from './webhook-endpoints';
export type { EndpointSettings, EndpointWithSecret } from './webhook-endpoints';
export { SECRET_KEYRING, SecretKeyringModule } from './secret-keyring.module';
export { enqueueWebhookDelivery, webhookDeliveryRow, webhookEventOf } from './deliveries/webhook-event';
export type { WebhookEvent } from './deliveries/webhook-event';
export { DeliveryStore } from './deliveries/delivery.store';
export { DeliveryStoreModule } from './deliveries/delivery-store.module';
export type { AttemptOf, AttemptRecord, ClaimOf, DeliveryWithAttempts, OverdueDelivery } from './deliveries/delivery.store';
export { outboxDeliverySql, subscribedOutboxSql } from './deliveries/delivery.sql';
export type { OutboxDeliveryValues, SubscribedOutboxValues } from './deliveries/delivery.sql';
export { webhookAttemptDuration, webhookAttemptsTotal, webhookDeliveriesFinished } from './webhooks.metrics';
