import { uuidFromName, type UsageEventInput } from '@conduit/contracts';
import type { EmbeddingUsage } from '@conduit/embeddings';
import type { Turn } from './turn';

/**
 * The usage events (`feature: embedding`) of embeddings a stage made for a turn: `purpose` names
 * the stage's use (`query`: retrieval, `cache`: the semantic cache). The event id derives from the
 * answer's id, so an async job run again (whose ids are fixed) bills each once.
 */
export function embeddingUsageEvents(turn: Turn, usages: readonly EmbeddingUsage[], purpose: 'query' | 'cache'): UsageEventInput[] {
  const { context } = turn;
  const occurredAt = new Date().toISOString();
  return usages.map((usage) => ({
    event_id: uuidFromName(`embedding:${purpose}:${turn.assistantId}:${usage.model}`),
    tenant_id: context.tenantId,
    user_id: context.userId,
    api_key_id: context.apiKeyId,
    request_id: context.requestId.slice(0, 128),
    provider: usage.provider,
    model: usage.model,
    input_tokens: usage.inputTokens,
    output_tokens: 0,
    latency_ms: null,
    feature: 'embedding' as const,
    occurred_at: occurredAt,
  }));
}
