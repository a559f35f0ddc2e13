import { Injectable } from '@nestjs/common';
import { textOf } from '@conduit/contracts';
import { retrievalDuration } from '@conduit/observability';
import { buildGroundedPrompt, groundingSources, Retriever } from '@conduit/retrieval';
import type { PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

/**
 * Retrieval: when the request names a collection, the tenant's chunks for the last user message
 * ground the answer (a system message first) and become its citations. On per request
 * (`conduit.collection`).
 */
@Injectable()
export class RetrievalStage implements PipelineStage {
  readonly name = 'retrieval';

  constructor(private readonly retriever: Retriever) {}

  enabled(turn: Turn): boolean {
    return turn.body.conduit?.collection !== undefined;
  }

  async prepare(turn: Turn): Promise<void> {
    const { body, context } = turn;
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const query = textOf(lastUser?.content ?? '');
    const { chunks, latency_ms } = await this.retriever.retrieve({
      tenantId: context.tenantId,
      collection: body.conduit?.collection as string,
      query,
      topK: body.conduit?.top_k,
      scoreThreshold: body.conduit?.score_threshold,
    });
    retrievalDuration.observe(latency_ms / 1_000);
    const system = buildGroundedPrompt(chunks);
    turn.citations = groundingSources(chunks).map((chunk, index) => ({
      index: index + 1,
      document_id: chunk.document_id,
      chunk_index: chunk.chunk_index,
      score: Math.round(chunk.score * 10_000) / 10_000,
      filename: chunk.filename ?? null,
    }));
    turn.retrievalMs = Math.round(latency_ms);
    turn.request.messages = [{ role: 'system', content: system.content }, ...turn.request.messages];
  }
}
