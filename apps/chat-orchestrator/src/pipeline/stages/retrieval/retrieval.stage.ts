import { Injectable } from '@nestjs/common';
import { textOf } from '@conduit/contracts';
import { retrievalDuration } from '@conduit/observability';
import { buildGroundedPrompt, groundingSources, type RetrievedChunk, Retriever } from '@conduit/retrieval';
import { GuardrailDecisions } from '../../guardrails/guardrail-decisions';
import { InjectionDetectors } from '../../guardrails/injection-detectors';
import type { PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

/**
 * Retrieval: when the request names a collection, the tenant's chunks for the last user message
 * ground the answer (a system message first) and become its citations. On per request
 * (`conduit.collection`).
 *
 * Retrieved chunks are content the model reads, so they are checked for indirect injection
 * (`injection.indirect` of the tenant's policy: `flag` keeps the chunk and records it, `block`
 * drops it), and pass through the input guards' PII treatment (`turn.protect`) before they go
 * into the prompt.
 */
@Injectable()
export class RetrievalStage implements PipelineStage {
  readonly name = 'retrieval';

  constructor(
    private readonly retriever: Retriever,
    private readonly detectors: InjectionDetectors,
    private readonly decisions: GuardrailDecisions,
  ) {}

  enabled(turn: Turn): boolean {
    return turn.body.conduit?.collection !== undefined;
  }

  async prepare(turn: Turn): Promise<void> {
    const { body, context } = turn;
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const query = textOf(lastUser?.content ?? '');
    const { chunks, latency_ms } = await this.retriever.retrieve({
      tenantId: context.tenantId,
      userId: context.userId,
      collection: body.conduit?.collection as string,
      query,
      topK: body.conduit?.top_k,
      scoreThreshold: body.conduit?.score_threshold,
    });
    retrievalDuration.observe(latency_ms / 1_000);
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
