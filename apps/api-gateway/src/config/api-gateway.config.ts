import { z } from 'zod';
import { coreSettings, internalTokenEnv, requireInternalTokenInProduction, requireSecretsKekInProduction, secret, secretsEnv, serviceEnv } from '@conduit/config';
import { budgetEnv, budgetSettings } from '@conduit/budget';
import { blobStoreEnv, blobStoreSettings } from '@conduit/blob-store';
import { embeddingModelsEnv, embeddingModelsSettings, embeddingsEnv, embeddingsSettings } from '@conduit/embeddings';
import { vectorStoreEnv, vectorStoreSettings } from '@conduit/vector-store';
import { jobsEnv, jobsSettings } from '@conduit/jobs';
import { refuseInsecureWebhookTargets, webhookTargetEnv, webhookTargetPolicy } from '@conduit/webhooks';
import { browserEdgeEnv, browserEdgeSettings } from '../http/browser-edge.config';

export const gatewayConfigSchema = z
  .object({
    ...serviceEnv(8080),
    CHAT_ORCHESTRATOR_URL: z.url().default('http://127.0.0.1:8081'),
    ...internalTokenEnv,
    MAX_TOKENS_LIMIT: z.coerce.number().int().min(1).default(32_768),
    MAX_BODY_BYTES: z.coerce.number().int().min(1_024).default(1_048_576),
    ORCHESTRATOR_CONNECTIONS: z.coerce.number().int().min(1).max(4_096).default(256),
    // Image parts of chat requests: decoded bytes per base64 image, images per request (MAX_BODY_BYTES bounds the body too).
    IMAGE_MAX_BYTES: z.coerce.number().int().min(1_024).max(100 * 1_048_576).default(5 * 1_048_576),
    IMAGE_MAX_COUNT: z.coerce.number().int().min(0).max(500).default(16),
    // Usage controls: rate limits and budgets (TIER_POLICY, BUDGET_*), price quotes, admin API.
    ...budgetEnv,
    PRICE_QUOTE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
    ADMIN_API_KEY: secret(z.string().min(32, 'must be at least 32 characters')).optional(),
    // The response cache's Redis, when the orchestrators use their own (admin purge, user erasure).
    RESPONSE_CACHE_REDIS_URL: secret(z.string().regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')).optional(),
    // Documents: uploads are stored in the blob store; vectors are deleted on document delete/reindex.
    MAX_UPLOAD_BYTES: z.coerce.number().int().min(1_024).max(1_073_741_824).default(20 * 1024 * 1024),
    ...blobStoreEnv,
    ...vectorStoreEnv,
    ...embeddingsEnv,
    // POST /v1/embeddings: the models it serves (default: the EMBEDDINGS_* embedder).
    ...embeddingModelsEnv,
    // Async jobs: retry policy and deadlines; where webhook URLs may point.
    ...jobsEnv,
    ...webhookTargetEnv,
    // Browser clients: CORS origins and HSTS.
    ...browserEdgeEnv,
    // Seals webhook secrets at rest (AES-256-GCM keyring; required in production).
    ...secretsEnv,
  })
  .superRefine(refuseInsecureWebhookTargets)
  .superRefine(requireSecretsKekInProduction)
  .superRefine(requireInternalTokenInProduction)
  .transform((env) => ({
    ...coreSettings(env),
    usage: {
      // Pricing: the embeddings API settles its reservations at billed prices (chat's are settled by the orchestrator).
      budget: budgetSettings(env, coreSettings(env), true),
      settings: {
        orchestratorUrl: env.CHAT_ORCHESTRATOR_URL,
        internalToken: env.INTERNAL_TOKEN,
        quoteTtlMs: env.PRICE_QUOTE_TTL_MS,
        maxTokensLimit: env.MAX_TOKENS_LIMIT,
      },
    },
    admin: { bootstrapKey: env.ADMIN_API_KEY, responseCacheRedisUrl: env.RESPONSE_CACHE_REDIS_URL },
    bodyLimitBytes: env.MAX_BODY_BYTES,
    browser: browserEdgeSettings(env),
    chat: {
      orchestratorUrl: env.CHAT_ORCHESTRATOR_URL,
      internalToken: env.INTERNAL_TOKEN,
      maxTokensLimit: env.MAX_TOKENS_LIMIT,
      connections: env.ORCHESTRATOR_CONNECTIONS,
      images: { maxBytes: env.IMAGE_MAX_BYTES, maxCount: env.IMAGE_MAX_COUNT },
    },
    documents: {
      maxUploadBytes: env.MAX_UPLOAD_BYTES,
      blobs: blobStoreSettings(env),
      vectorStore: vectorStoreSettings(env),
      embeddings: embeddingsSettings(env),
    },
    embeddings: {
      models: embeddingModelsSettings(env, embeddingsSettings(env)),
      cacheTtlSeconds: env.EMBEDDINGS_CACHE_TTL_S,
      redis: { url: coreSettings(env).redis.url, prefix: coreSettings(env).redis.prefix },
    },
    jobs: { jobs: jobsSettings(env), webhookPolicy: webhookTargetPolicy(env), maxTokensLimit: env.MAX_TOKENS_LIMIT },
    secrets: { SECRETS_KEK: env.SECRETS_KEK },
  }));

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
