import { z } from 'zod';
import { budgetEnv, budgetSettings } from '@conduit/budget';
import { coreSettings, internalTokenEnv, requireInternalTokenInProduction, secret, serviceEnv } from '@conduit/config';
import { embeddingsEnv, embeddingsSettings } from '@conduit/embeddings';
import { policiesEnv, policiesSettings } from '@conduit/policies';
import { vectorStoreEnv, vectorStoreSettings } from '@conduit/vector-store';
import { refuseInsecureToolSettings, toolsEnv, toolsSettings } from '@conduit/tools';
import { jobsWorkerEnv, jobsWorkerSettings } from './jobs-worker.env';

export const orchestratorConfigSchema = z
  .object({
    ...serviceEnv(8081),
    ...internalTokenEnv,
    CHAT_HISTORY_MAX_MESSAGES: z.coerce.number().int().min(0).max(500).default(20),
    CHAT_HISTORY_MAX_TOKENS: z.coerce.number().int().min(0).max(1_000_000).default(4_000),
    // The response cache (per-tenant policy `cache`): its own Redis (default REDIS_URL), the
    // Postgres of the semantic cache's vectors (default DATABASE_URL), and the longest a lookup
    // may take before the request goes on without the cache.
    RESPONSE_CACHE_REDIS_URL: secret(z.string().regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')).optional(),
    RESPONSE_CACHE_DATABASE_URL: secret(z.string().regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL')).optional(),
    RESPONSE_CACHE_SEMANTIC_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(250),
    RESPONSE_CACHE_TIMEOUT_MS: z.coerce.number().int().min(1).max(5_000).default(50),
    // Usage controls: billed prices (PRICE_REFRESH_MS) and settlement of budget reservations.
    ...budgetEnv,
    // Async jobs (see jobs-worker.env.ts).
    ...jobsWorkerEnv,
    // Retrieval for chats that name a collection: the ingestion worker's embedder and vector store.
    ...embeddingsEnv,
    ...vectorStoreEnv,
    // Tenant policies (guardrails): cached per process, dropped on a change announced over Redis.
    ...policiesEnv,
    // Platform-run tools (issue 22): where tool URLs may point (the webhooks' SSRF policy) and the
    // keyring that opens the tools' sealed secrets (the gateway's SECRETS_KEK).
    ...toolsEnv,
    // Long-term memories (tenant policy `memory`): the extraction model when the policy names none;
    // MEMORY_MODEL is also the session summariser's model when a tenant's `summary_model` is null.
    MEMORY_MODEL: z.string().min(1).max(256).default('default'),
    MEMORY_EXTRACTION_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
    MEMORY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
    // Session summaries: the summariser call's per-attempt timeout and how many summary jobs run at once.
    MEMORY_SUMMARY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    MEMORY_SUMMARY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  })
  .superRefine(refuseInsecureToolSettings)
  .superRefine(requireInternalTokenInProduction)
  .transform((env) => ({
    ...coreSettings(env),
    budget: budgetSettings(env, coreSettings(env), true),
    chat: {
      internalToken: env.INTERNAL_TOKEN,
      history: { maxMessages: env.CHAT_HISTORY_MAX_MESSAGES, maxTokens: env.CHAT_HISTORY_MAX_TOKENS },
      responseCache: {
        url: env.RESPONSE_CACHE_REDIS_URL ?? env.REDIS_URL,
        prefix: env.QUEUE_PREFIX,
        timeoutMs: env.RESPONSE_CACHE_TIMEOUT_MS,
        databaseUrl: env.RESPONSE_CACHE_DATABASE_URL ?? env.DATABASE_URL,
        semanticTimeoutMs: env.RESPONSE_CACHE_SEMANTIC_TIMEOUT_MS,
      },
    },
    ...jobsWorkerSettings(env),
    retrieval: { embeddings: embeddingsSettings(env), vectorStore: vectorStoreSettings(env) },
    policies: policiesSettings(env),
    tools: toolsSettings(env),
    memory: { model: env.MEMORY_MODEL, extractionTimeoutMs: env.MEMORY_EXTRACTION_TIMEOUT_MS, concurrency: env.MEMORY_CONCURRENCY },
    summaries: { model: env.MEMORY_MODEL, timeoutMs: env.MEMORY_SUMMARY_TIMEOUT_MS, concurrency: env.MEMORY_SUMMARY_CONCURRENCY },
  }));

export type OrchestratorConfig = z.output<typeof orchestratorConfigSchema>;
