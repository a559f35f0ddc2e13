import { Inject, Injectable, Logger } from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { UsageEventProducer } from '@conduit/budget';
import { guardrailsPolicyFor, type MemoryExtract, type UsageEventInput, uuidFromName } from '@conduit/contracts';
import type { EmbeddingUsage } from '@conduit/embeddings';
import { LlmGateway } from '@conduit/llm';
import { Memories, memoryExtractionsTotal, type MemoryOperation, memoryPiiGuard } from '@conduit/memory';
import { GEN_AI, GEN_AI_OPERATION } from '@conduit/observability';
import { PolicyStore } from '@conduit/policies';
import { extractionMessages, parseExtraction } from './extraction-prompt';
import { MEMORY_SETTINGS, type MemorySettings } from './memory.constants';

export type ExtractionOutcome = 'applied' | 'no_change' | 'rejected' | 'duplicate' | 'skipped';

/**
 * One `memory.extract` job: the tenant's extraction model (policy `extraction_model`, else
 * `MEMORY_MODEL`) reads the turn and the user's memories and answers operations as JSON; a
 * malformed answer is rejected whole (nothing written, existing memories untouched); a valid one
 * passes the tenant's PII guard and is reconciled and written once (see `MemoryStore.applyExtraction`).
 * The model call is billed (`feature: memory`, one event per turn), as are the memories' embeddings.
 * An unreachable model throws: the job is retried.
 */
@Injectable()
export class MemoryExtractor {
  private readonly logger = new Logger(MemoryExtractor.name);

  constructor(
    private readonly llm: LlmGateway,
    private readonly memories: Memories,
    private readonly policies: PolicyStore,
    private readonly usage: UsageEventProducer,
    @Inject(MEMORY_SETTINGS) private readonly settings: MemorySettings,
  ) {}

  async extract(job: MemoryExtract): Promise<ExtractionOutcome> {
    const outcome = await this.run(job);
    memoryExtractionsTotal.inc({ outcome });
    return outcome;
  }

  private async run(job: MemoryExtract): Promise<ExtractionOutcome> {
    const owner = { tenantId: job.tenant_id, userId: job.user_id };
    const policy = await this.policies.get(job.tenant_id);
    if (policy.memory.mode !== 'full') return 'skipped';
    if (await this.memories.store.extracted(job.message_id)) {
      // Written by an earlier run (which may have died before its vectors): finish those.
      await this.bill(job, [], await this.memories.sync(owner));
      return 'duplicate';
    }
    const model = policy.memory.extraction_model ?? this.settings.model;
    const existing = await this.memories.store.live(owner);
    const { messages, ids } = extractionMessages(existing, { user: job.user_text, assistant: job.assistant_text });
    const attributes = { [GEN_AI.operation]: GEN_AI_OPERATION.createMemory, [GEN_AI.requestModel]: model, 'conduit.memory.existing': existing.length };
    return trace.getTracer('@conduit/chat-orchestrator/memory').startActiveSpan(`${GEN_AI_OPERATION.createMemory} ${model}`, { attributes }, async (span) => {
      try {
        const result = await this.llm.complete(model, { messages, temperature: 0, max_tokens: 800 }, { timeoutMs: this.settings.extractionTimeoutMs, ...(job.request_id ? { requestId: job.request_id } : {}) });
        const call = { provider: result.provider, model: result.model, usage: result.completion.usage, latencyMs: result.latencyMs };
        const parsed = parseExtraction(result.completion.content, ids);
        if (!parsed.ok) {
          await this.bill(job, [call], []);
          this.logger.warn({ tenant_id: job.tenant_id, message_id: job.message_id, reason: parsed.reason }, 'memory extractor answer rejected');
          span.setAttribute('conduit.memory.outcome', 'rejected');
          return (await this.memories.store.rejectExtraction(owner, job.message_id)) ? 'rejected' : 'duplicate';
        }
        const guard = memoryPiiGuard(guardrailsPolicyFor(policy, null));
        const operations: MemoryOperation[] = guard ? parsed.operations.map((op) => ('content' in op ? { ...op, content: guard(op.content) } : op)) : parsed.operations;
        const { write, usage } = await this.memories.applyExtraction(owner, job.message_id, operations);
        await this.bill(job, [call], usage);
        span.setAttribute('conduit.memory.outcome', write.outcome);
        if (write.outcome !== 'duplicate') {
          span.setAttributes({ 'conduit.memory.added': write.plan.adds.length, 'conduit.memory.updated': write.plan.updates.length, 'conduit.memory.deleted': write.plan.deletes.length });
        }
        return write.outcome;
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** The extraction call and the memories' embeddings, billed as `memory`; event ids derive from the turn, so a re-run bills once. */
  private async bill(job: MemoryExtract, calls: { provider: string; model: string; usage: { input_tokens: number; output_tokens: number; cached_tokens: number }; latencyMs: number }[], embeddings: EmbeddingUsage[]): Promise<void> {
    const occurredAt = new Date().toISOString();
    const base = { tenant_id: job.tenant_id, user_id: job.user_id, api_key_id: null, request_id: job.request_id, feature: 'memory' as const, occurred_at: occurredAt };
    const events: UsageEventInput[] = [
      ...calls.map((call) => ({
        ...base,
        event_id: uuidFromName(`memory:extract:${job.message_id}`),
        provider: call.provider,
        model: call.model,
        input_tokens: call.usage.input_tokens,
        output_tokens: call.usage.output_tokens,
        cached_tokens: call.usage.cached_tokens,
        latency_ms: Math.round(call.latencyMs),
      })),
      ...embeddings.map((usage) => ({
        ...base,
        event_id: uuidFromName(`memory:embed:${job.message_id}:${usage.model}`),
        provider: usage.provider,
        model: usage.model,
        input_tokens: usage.inputTokens,
        output_tokens: 0,
        latency_ms: null,
      })),
    ];
    if (events.length === 0) return;
    await this.usage.emit(events).catch((error: unknown) => this.logger.error({ err: error, message_id: job.message_id }, 'could not emit the memory extraction usage'));
  }
}
