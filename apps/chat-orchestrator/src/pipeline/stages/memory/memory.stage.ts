import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { UsageEventProducer } from '@conduit/budget';
import { ConduitHeader, textOf, uuidFromName, type UsageEventInput } from '@conduit/contracts';
import type { EmbeddingUsage } from '@conduit/embeddings';
import { memoryContextMessage, MemoryRecall } from '@conduit/memory';
import { degradedTotal } from '@conduit/observability';
import type { PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

/** Whether long-term memories apply to this request: the tenant's mode is `full` and the request did not turn them off. */
export function memoryOn(turn: Pick<Turn, 'memory' | 'body'>): boolean {
  return turn.memory.mode === 'full' && turn.body.conduit?.memory !== false;
}

/**
 * Long-term memories (policy `memory.mode: full`; `conduit.memory: false` turns them off for one
 * request): the user's latest message is embedded, their memories searched (tenant and user only,
 * `recall_top_k` above `recall_min_score`), and the best that fit in `recall_max_tokens` join the
 * context as one labelled system message, after the leading system messages (the template's, the
 * request's) and before the conversation. Right after the template stage, so the input guards see (and redact) it like the rest.
 *
 * Recall never fails the chat: the vector store or embedder down, the request goes on without
 * memories, marked `x-conduit-degraded: memory` and counted (`conduit_degraded_total{component="memory"}`).
 * The query embedding is billed (`feature: memory`).
 */
@Injectable()
export class MemoryStage implements PipelineStage {
  readonly name = 'memory';
  private readonly logger = new Logger(MemoryStage.name);

  constructor(
    private readonly recall: MemoryRecall,
    private readonly usage: UsageEventProducer,
  ) {}

  enabled(turn: Turn): boolean {
    return memoryOn(turn);
  }

  async prepare(turn: Turn): Promise<void> {
    const { context, body } = turn;
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const query = textOf(lastUser?.content ?? '');
    if (query.trim() === '') return;
    try {
      const result = await this.recall.recall({ tenantId: context.tenantId, userId: context.userId }, query, turn.memory);
      this.bill(turn, result.usage);
      if (result.memories.length === 0) return;
      turn.recalledMemories = result.memories.map((memory) => memory.id);
      trace.getActiveSpan()?.setAttribute('conduit.memory.recalled', result.memories.length);
      const messages = turn.request.messages;
      const at = messages.findIndex((m) => m.role !== 'system');
      const system = { role: 'system' as const, content: memoryContextMessage(result.memories) };
      turn.request.messages = at === -1 ? [...messages, system] : [...messages.slice(0, at), system, ...messages.slice(at)];
    } catch (error) {
      degradedTotal.inc({ component: 'memory' });
      trace.getActiveSpan()?.setAttribute('conduit.degraded', 'memory');
      this.logger.warn({ err: error, request_id: context.requestId, tenant_id: context.tenantId }, 'memory recall unavailable: answering without memories');
      turn.degraded = [...(turn.degraded ?? []), 'memory'];
      turn.headers[ConduitHeader.Degraded] = turn.degraded.join(', ');
    }
  }

  /** The query embedding, billed off the answer's path (event id from the answer's id: a re-run job bills once). */
  private bill(turn: Turn, usages: readonly EmbeddingUsage[]): void {
    if (usages.length === 0) return;
    const { context } = turn;
    const events: UsageEventInput[] = usages.map((usage) => ({
      event_id: uuidFromName(`memory:recall:${turn.assistantId}:${usage.model}`),
      tenant_id: context.tenantId,
      user_id: context.userId,
      api_key_id: context.apiKeyId,
      request_id: context.requestId.slice(0, 128),
      provider: usage.provider,
      model: usage.model,
      input_tokens: usage.inputTokens,
      output_tokens: 0,
      latency_ms: null,
      feature: 'memory',
      occurred_at: new Date().toISOString(),
    }));
    this.usage.emit(events).catch((error: unknown) => this.logger.error({ err: error, request_id: context.requestId }, 'could not emit the memory recall usage'));
  }
}
