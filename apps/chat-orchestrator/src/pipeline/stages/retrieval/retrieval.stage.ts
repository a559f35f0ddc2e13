import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { UsageEventProducer } from '@conduit/budget';
import { ConduitHeader, textOf } from '@conduit/contracts';
import type { EmbeddingUsage } from '@conduit/embeddings';
import { degradedTotal, responseCacheRequests, retrievalDuration } from '@conduit/observability';
import { PolicyStore } from '@conduit/policies';
import { buildGroundedPrompt, groundingSources, RetrievalException, type RetrieveResult, type RetrievedChunk, Retriever } from '@conduit/retrieval';
import { GuardrailDecisions } from '../../guardrails/guardrail-decisions';
import { InjectionDetectors } from '../../guardrails/injection-detectors';
import { embeddingUsageEvents } from '../../embedding-usage';
import type { PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';
import { ResponseCache } from '../cache-lookup/response-cache';
import { DegradationException } from './degradation.exception';

/**
 * Retrieval: when the request names a collection, the tenant's chunks for the last user message
 * ground the answer (a system message first) and become its citations. On per request
 * (`conduit.collection`).
 *
 * Retrieved chunks are content the model reads, so they are checked for indirect injection
 * (`injection.indirect` of the tenant's policy: `flag` keeps the chunk and records it, `block`
 * drops it), and pass through the input guards' PII treatment (`turn.protect`) before they go
 * into the prompt. The query's embedding is billed (`feature: embedding`, one event per answer id).
 *
 * The vector store (or the query embedder) down: the tenant's `degradation.retrieval` decides —
 * `fail` (default) refuses with 503 `retrieval_unavailable`, `answer_without` goes on without
 * documents, marked `x-conduit-degraded: retrieval` and `metadata.degraded` on the stored message.
 * Either way it is counted (`conduit_degraded_total{component="retrieval"}`). A bad request (no
 * such collection, another embedding model) is never degraded: it fails as before.
 *
 * With the tenant's `cache.retrieval` on, the chunks of an identical lookup (same collection and
 * collection version, query, top_k, threshold, embedder; same user for a private collection) come
 * from the response cache's Redis without embedding or searching
 * (`conduit_response_cache_requests_total{kind="retrieval"}`); a cache Redis that is down or slow
 * is bypassed. A cached hit bills no embedding.
 */
@Injectable()
export class RetrievalStage implements PipelineStage {
  readonly name = 'retrieval';
  private readonly logger = new Logger(RetrievalStage.name);

  constructor(
    private readonly retriever: Retriever,
    private readonly usage: UsageEventProducer,
    private readonly detectors: InjectionDetectors,
    private readonly decisions: GuardrailDecisions,
    private readonly policies: PolicyStore,
    private readonly cache: ResponseCache,
  ) {}

  enabled(turn: Turn): boolean {
    return turn.body.conduit?.collection !== undefined;
  }

  async prepare(turn: Turn): Promise<void> {
    const { body, context } = turn;
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const query = textOf(lastUser?.content ?? '');
    const collection = body.conduit?.collection as string;
    const cachePolicy = turn.cachePolicy.retrieval;
    const cache = cachePolicy.enabled ? this.cache.retrievalCache(cachePolicy.ttl_seconds) : undefined;
    if (cachePolicy.enabled && !cache) responseCacheRequests.inc({ kind: 'retrieval', outcome: 'bypass' });
    let result: RetrieveResult;
    try {
      result = await this.retriever.retrieve({
        tenantId: context.tenantId,
        userId: context.userId,
        collection,
        query,
        topK: body.conduit?.top_k,
        scoreThreshold: body.conduit?.score_threshold,
        ...(cache ? { cache } : {}),
      });
    } catch (error) {
      if (error instanceof RetrievalException) throw error;
      await this.degrade(turn, collection, error);
      return;
    }
    const { chunks, latency_ms, embedding_usage } = result;
    if (result.cache) responseCacheRequests.inc({ kind: 'retrieval', outcome: result.cache });
    retrievalDuration.observe(latency_ms / 1_000);
    this.billEmbedding(turn, embedding_usage);
    let kept = turn.guardrails.injection.indirect === 'off' ? chunks : await this.guard(turn, chunks);
    const protect = turn.protect;
    if (protect) kept = kept.map((chunk) => ({ ...chunk, text: protect(chunk.text) }));
    const system = buildGroundedPrompt(kept);
    turn.citations = groundingSources(kept).map((chunk, index) => ({
      index: index + 1,
      document_id: chunk.document_id,
      chunk_index: chunk.chunk_index,
      score: Math.round(chunk.score * 10_000) / 10_000,
      filename: chunk.filename ?? null,
    }));
    turn.retrievalMs = Math.round(latency_ms);
    turn.request.messages = [{ role: 'system', content: system.content }, ...turn.request.messages];
  }

  /** Retrieval is down: fail, or go on without documents, as the tenant's policy says. */
  private async degrade(turn: Turn, collection: string, error: unknown): Promise<void> {
    const { context } = turn;
    degradedTotal.inc({ component: 'retrieval' });
    const { degradation } = await this.policies.get(context.tenantId);
    const span = trace.getActiveSpan();
    span?.setAttribute('conduit.degraded', 'retrieval');
    this.logger.warn(
      { err: error, request_id: context.requestId, tenant_id: context.tenantId, policy: degradation.retrieval },
      degradation.retrieval === 'fail' ? 'retrieval unavailable: request refused' : 'retrieval unavailable: answering without documents',
    );
    if (degradation.retrieval === 'fail') throw DegradationException.retrievalUnavailable(collection);
    turn.degraded = [...(turn.degraded ?? []), 'retrieval'];
    turn.headers[ConduitHeader.Degraded] = turn.degraded.join(', ');
  }

  /**
   * Emits the query embedding's usage off the request path. The event id derives from the
   * answer's id, so an async job run again (whose ids are fixed) bills it once.
   */
  private billEmbedding(turn: Turn, usages: EmbeddingUsage[]): void {
    if (usages.length === 0) return;
    this.usage
      .emit(embeddingUsageEvents(turn, usages, 'query'))
      .catch((error: unknown) => this.logger.error({ err: error, request_id: turn.context.requestId }, 'could not emit the query embedding usage'));
  }

  /** Indirect injection in the chunks: flagged, or dropped when the policy blocks. */
  private async guard(turn: Turn, chunks: RetrievedChunk[]): Promise<RetrievedChunk[]> {
    if (chunks.length === 0) return chunks;
    const action = turn.guardrails.injection.indirect;
    const detector = this.detectors.for(turn.guardrails.injection.detector);
    const kept: RetrievedChunk[] = [];
    await this.decisions.apply(turn, 'indirect_injection', async () => {
      let score = 0;
      let found = 0;
      const verdicts = await Promise.all(chunks.map((chunk) => detector.detect(chunk.text, { kind: 'document' })));
      verdicts.forEach((verdict, i) => {
        score = Math.max(score, verdict.score);
        if (verdict.verdict === 'injection') found += 1;
        if (verdict.verdict !== 'injection' || action !== 'block') kept.push(chunks[i] as RetrievedChunk);
      });
      const verdict = found === 0 ? 'pass' : action === 'block' ? 'drop' : 'flag';
      return { stage: 'indirect_injection', verdict, score: Math.round(score * 1_000) / 1_000, ...(found > 0 ? { entities: { document_chunk: found } } : {}) };
    });
    return kept;
  }
}
