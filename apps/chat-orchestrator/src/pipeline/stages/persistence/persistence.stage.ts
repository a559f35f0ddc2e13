import { Injectable, Logger } from '@nestjs/common';
import { cleanText, textOf } from '@conduit/contracts';
import { PriceBook, ReservationSettler } from '@conduit/budget';
import { messageTokens, SessionSummaryProducer } from '@conduit/conversations';
import type { Prisma } from '@conduit/db';
import { EvalTurnProducer, isGuardrailFlagged } from '@conduit/evaluation';
import { MemoryExtractionProducer } from '@conduit/memory';
import { PolicyStore } from '@conduit/policies';
import type { ChatTurn } from '../../../chat/chat-turn';
import { ConversationsService } from '../../../chat/conversations.service';
import { responseCacheSavedUsd } from '@conduit/observability';
import type { CacheEntry } from '@conduit/response-cache';
import type { FinishedAnswer, PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';
import { memoryOn } from '../memory/memory.stage';
import { routeMetadata } from '../routing/routing.stage';
import { toolRunMetadata } from '../model-call/tool-run';

const NO_TOKENS = Object.freeze({ input_tokens: 0, output_tokens: 0, cached_tokens: 0 });

/**
 * Persistence and usage: prices the call with the billing price list at the moment it is recorded
 * (the same instant billing prices the usage event at, so `cost_usd` equals the billed cost),
 * settles the gateway's budget reservation with that cost, and records the turn (write-behind, or
 * before the job's result when `durable`), then hands sampled turns to the eval queue and — when
 * the session's history has passed the tenant's summary threshold — the session to the summary
 * queue (never awaited: a failed enqueue is logged, the chat is not affected). Always on.
 */
@Injectable()
export class PersistenceStage implements PipelineStage {
  readonly name = 'persistence';
  private readonly logger = new Logger(PersistenceStage.name);

  constructor(
    private readonly store: ConversationsService,
    private readonly prices: PriceBook,
    private readonly settler: ReservationSettler,
    private readonly evaluation: EvalTurnProducer,
    private readonly policies: PolicyStore,
    private readonly memories: MemoryExtractionProducer,
    private readonly summaries: SessionSummaryProducer,
  ) {}

  enabled(): boolean {
    return true;
  }

  async finish(turn: Turn, served: FinishedAnswer): Promise<void> {
    const createdAt = new Date();
    // A cache hit used no provider tokens: it is recorded and settled at zero (no spend, no TPM),
    // with what it saved in the message metadata.
    const hit = turn.cache?.entry;
    const answer = hit ? { ...served, usage: NO_TOKENS, usageEstimated: false, metadata: { ...served.metadata, ...this.savingOf(hit, createdAt) } } : served;
    const cost = answer.model && !hit ? this.prices.costOf(answer.model, answer.usage, createdAt) : { usd: 0, nano: 0 };
    const { tenantId, reservationId, requestId } = turn.context;
    if (reservationId) this.settler.settle({ tenantId, reservationId, requestId }, cost.nano, answer.usage.input_tokens + answer.usage.output_tokens);
    const stored = this.turnOf(turn, answer, cost.usd, createdAt);
    if (answer.durable) await this.store.save(stored);
    else this.store.record(stored);
    // A failed turn (the client got an error) has no answer to judge.
    if (answer.status !== 'failed') this.sampleForEval(turn);
    if (memoryOn(turn) && answer.status === 'complete') this.extractMemories(turn, answer.content);
    this.summariseIfDue(turn, stored);
  }

  /** Memory extraction (`memory` policy, mode `full`, sampled): an enqueue in the background, off the answer's path. */
  private extractMemories(turn: Turn, answer: string): void {
    const { tenantId, userId, requestId } = turn.context;
    if (turn.userMessage?.role !== 'user') return;
    this.memories
      .afterTurn({ tenantId, userId, messageId: turn.assistantId, userText: turn.userMessage.content, assistantText: answer, requestId }, turn.memory)
      .catch((error: unknown) => this.logger.warn({ err: error, request_id: requestId, message_id: turn.assistantId }, 'could not enqueue the turn for memory extraction'));
  }

  /**
   * Session summaries (memory policy `summaries`/`full`): once the part of the session its summary
   * does not cover passes `summary_threshold_tokens` with this turn — or is longer than the history
   * read could see — the session goes to the summary queue (one job per session and summary state).
   */
  private summariseIfDue(turn: Turn, stored: ChatTurn): void {
    const history = turn.history;
    if (!history?.summaries) return;
    let tokens = history.uncoveredTokens + messageTokens(stored.assistant.content, stored.assistant.toolCalls);
    if (stored.userMessage) tokens += messageTokens(stored.userMessage.content);
    for (const result of stored.toolResults ?? []) tokens += messageTokens(result.content);
    if (tokens < history.thresholdTokens && !history.more) return;
    const { tenantId, userId, requestId } = turn.context;
    void this.summaries
      .enqueue({ tenantId, userId, sessionId: turn.sessionId, coveredMessageId: history.coveredMessageId })
      .catch((error: unknown) => this.logger.warn({ err: error, request_id: requestId, session_id: turn.sessionId }, 'could not enqueue the session summary'));
  }

  /** Eval sampling (`eval` policy): an enqueue in the background, off the answer's path. */
  private sampleForEval(turn: Turn): void {
    const { tenantId, requestId } = turn.context;
    const flagged = isGuardrailFlagged(turn.decisions);
    void this.policies
      .get(tenantId)
      .then((policy) => this.evaluation.afterTurn({ tenantId, messageId: turn.assistantId, flagged }, policy.eval))
      .catch((error: unknown) => this.logger.warn({ err: error, request_id: requestId, message_id: turn.assistantId }, 'could not enqueue the turn for evaluation'));
  }

  private savingOf(hit: CacheEntry, at: Date): { cache: string; cost_saved_usd: number } {
    const saved = this.prices.costOf(hit.model, hit.usage, at).usd;
    responseCacheSavedUsd.inc({ kind: 'exact' }, saved);
    return { cache: 'hit', cost_saved_usd: saved };
  }

  private turnOf(turn: Turn, answer: FinishedAnswer, costUsd: number, createdAt: Date): ChatTurn {
    const firstUser = turn.body.messages.find((m) => m.role === 'user');
    const metadata: Record<string, unknown> = { ...answer.metadata };
    if (turn.citations.length > 0) {
      metadata['citations'] = turn.citations.map((c) => ({ ...c }));
      metadata['retrieval_ms'] = turn.retrievalMs;
    }
    // What the guardrails decided (types and counts, never the values).
    if (turn.decisions.length > 0) metadata['guardrails'] = turn.decisions.map((d) => ({ ...d }));
    // What it was answered without (the tenant's `degradation` policy).
    if (turn.degraded?.length) metadata['degraded'] = [...turn.degraded];
    if (turn.route) Object.assign(metadata, routeMetadata(turn.route));
    // The platform tool run: its steps, calls, arguments, outcomes and tool time (issue 22).
    if (turn.tools) metadata['tool_run'] = toolRunMetadata(turn.tools);
    // A Responses API answer (`POST /v1/responses`): what `GET /v1/responses/{id}` and `previous_response_id` read.
    if (turn.context.responses) metadata['responses'] = { ...turn.context.responses, metadata: turn.body.conduit?.metadata ?? null };
    return {
      context: turn.context,
      sessionId: turn.sessionId,
      newSession: turn.newSession,
      // Cutting at 80 code units may split a surrogate pair; the half left is replaced.
      title: cleanText(textOf(firstUser?.content ?? '').slice(0, 80)) || 'Untitled',
      userMessage: turn.userMessage,
      ...(turn.toolResults ? { toolResults: turn.toolResults } : {}),
      prompt: turn.prompt ?? null,
      assistant: {
        content: cleanText(answer.content),
        status: answer.status,
        provider: answer.provider,
        model: answer.model,
        usage: answer.usage,
        usageEstimated: answer.usageEstimated,
        latencyMs: answer.latencyMs,
        ttftMs: answer.ttftMs,
        metadata: metadata as Prisma.InputJsonObject,
        id: turn.assistantId,
        costUsd,
        createdAt,
        ...(answer.toolCalls?.length ? { toolCalls: answer.toolCalls } : {}),
      },
    };
  }
}
