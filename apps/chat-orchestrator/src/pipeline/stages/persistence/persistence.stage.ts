import { Injectable } from '@nestjs/common';
import { cleanText, textOf } from '@conduit/contracts';
import { PriceBook, ReservationSettler } from '@conduit/budget';
import type { Prisma } from '@conduit/db';
import type { ChatTurn } from '../../../chat/chat-turn';
import { ConversationsService } from '../../../chat/conversations.service';
import type { FinishedAnswer, PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

/**
 * Persistence and usage: prices the call with the billing price list at the moment it is recorded
 * (the same instant billing prices the usage event at, so `cost_usd` equals the billed cost),
 * settles the gateway's budget reservation with that cost, and records the turn (write-behind, or
 * before the job's result when `durable`). Always on. Eval sampling will join here.
 */
@Injectable()
export class PersistenceStage implements PipelineStage {
  readonly name = 'persistence';

  constructor(
    private readonly store: ConversationsService,
    private readonly prices: PriceBook,
    private readonly settler: ReservationSettler,
  ) {}

  enabled(): boolean {
    return true;
  }

  async finish(turn: Turn, answer: FinishedAnswer): Promise<void> {
    const createdAt = new Date();
    const cost = answer.model ? this.prices.costOf(answer.model, answer.usage, createdAt) : { usd: 0, nano: 0 };
    const { tenantId, reservationId, requestId } = turn.context;
    if (reservationId) this.settler.settle({ tenantId, reservationId, requestId }, cost.nano, answer.usage.input_tokens + answer.usage.output_tokens);
    const stored = this.turnOf(turn, answer, cost.usd, createdAt);
    if (answer.durable) await this.store.save(stored);
    else this.store.record(stored);
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
    return {
      context: turn.context,
      sessionId: turn.sessionId,
      newSession: turn.newSession,
      // Cutting at 80 code units may split a surrogate pair; the half left is replaced.
      title: cleanText(textOf(firstUser?.content ?? '').slice(0, 80)) || 'Untitled',
      userMessage: turn.userMessage,
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
      },
    };
  }
}
