import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChatCompletionRequest, cleanText, maxTokensOf, textOf, uuidFromName } from '@conduit/contracts';
import { PriceBook, ReservationSettler, UsageEventProducer } from '@conduit/budget';
import { ChatMessage, ChatRequest, LlmError, LlmGateway, TokenUsage } from '@conduit/llm';
import { retrievalDuration } from '@conduit/observability';
import type { EmbeddingUsage } from '@conduit/embeddings';
import { buildGroundedPrompt, groundingSources, Retriever } from '@conduit/retrieval';
import { INTERNAL_SETTINGS, InternalSettings } from '../internal/internal.constants';
import { PriceQuoteService } from '../usage/price-quote.service';
import type { ChatContext } from './chat-context';
import { ChatTurn, ConversationsService } from './conversations.service';
import { toChatException } from './llm-error.mapping';
import { estimateTokens } from './token-estimate';

/** A request made ready for the LLM: session resolved, history merged, ids minted. */
export interface PreparedChat {
  context: ChatContext;
  body: ChatCompletionRequest;
  request: ChatRequest;
  sessionId: string;
  newSession: boolean;
  userMessage: ChatTurn['userMessage'];
  assistantId: string;
  responseId: string;
  created: number;
  startedAt: number;
  /** Sources the answer was grounded in (`[1]` is index 0), when the request named a collection. */
  citations: Citation[];
  retrievalMs: number | null;
}

export interface Citation {
  index: number;
  document_id: string;
  chunk_index: number;
  score: number;
  filename: string | null;
}

/**
 * Ids a caller may fix instead of minting random ones. Async jobs derive them from the job id, so
 * a job that is run again (retry, crash) writes the same session, messages and usage event.
 */
export interface PreparedIds {
  sessionId: string;
  userMessageId: string;
  assistantId: string;
  responseId: string;
}

function toLlmMessage(message: ChatCompletionRequest['messages'][number]): ChatMessage {
  switch (message.role) {
    case 'developer':
    case 'system':
      return { role: 'system', content: textOf(message.content) };
    case 'user':
      return { role: 'user', content: textOf(message.content), ...(message.name ? { name: message.name } : {}) };
    case 'assistant':
      return {
        role: 'assistant',
        content: textOf(message.content ?? null),
        ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}),
      };
    case 'tool':
      return { role: 'tool', content: textOf(message.content), tool_call_id: message.tool_call_id };
  }
}

@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);

  constructor(
    private readonly llm: LlmGateway,
    private readonly store: ConversationsService,
    private readonly prices: PriceBook,
    private readonly pricing: PriceQuoteService,
    private readonly settler: ReservationSettler,
    private readonly retriever: Retriever,
    private readonly usage: UsageEventProducer,
    @Inject(INTERNAL_SETTINGS) private readonly settings: InternalSettings,
  ) {}

  /** Readies a request; refuses first (nothing read, nothing called) a model that is not priced for the tenant. */
  async prepare(body: ChatCompletionRequest, context: ChatContext, ids: Partial<PreparedIds> = {}): Promise<PreparedChat> {
    const startedAt = performance.now();
    await this.pricing.assertRoutable(body.model, context.tenantId);
    const incoming = body.messages.map(toLlmMessage);
    let messages = incoming;
    if (context.sessionId) {
      // A re-run job must not see its own earlier answer as history.
      const ownIds = [ids.userMessageId, ids.assistantId].filter((id): id is string => id !== undefined);
      const history = await this.store.history(context, context.sessionId, this.settings.history, ownIds);
      const system = incoming.filter((m) => m.role === 'system');
      messages = [...system, ...history, ...incoming.filter((m) => m.role !== 'system')];
    }
    const last = body.messages[body.messages.length - 1];
    const assistantId = ids.assistantId ?? randomUUID();
    const grounding = await this.ground(body, context, assistantId);
    if (grounding.system) messages = [grounding.system, ...messages];
    const userMessage =
      last.role === 'user' || last.role === 'tool'
        ? { id: ids.userMessageId ?? randomUUID(), role: last.role, content: textOf(last.content), createdAt: new Date() }
        : null;
    return {
      context,
      body,
      request: {
        model: body.model,
        messages,
        ...(body.temperature != null ? { temperature: body.temperature } : {}),
        ...(body.top_p != null ? { top_p: body.top_p } : {}),
        ...(maxTokensOf(body) !== undefined ? { max_tokens: maxTokensOf(body) } : {}),
        ...(body.stop != null ? { stop: [body.stop].flat() } : {}),
        ...(body.tools ? { tools: body.tools } : {}),
        ...(body.tool_choice ? { tool_choice: body.tool_choice } : {}),
        ...(body.user ? { user: body.user } : {}),
      },
      sessionId: context.sessionId ?? ids.sessionId ?? randomUUID(),
      newSession: !context.sessionId,
      userMessage,
      assistantId,
      responseId: ids.responseId ?? `chatcmpl-${randomUUID().replace(/-/g, '')}`,
      created: Math.floor(Date.now() / 1000),
      startedAt,
      citations: grounding.citations,
      retrievalMs: grounding.retrievalMs,
    };
  }

  /**
   * Retrieves the tenant's chunks for the last user message when the request names a collection,
   * and bills the query's embedding.
   */
  private async ground(body: ChatCompletionRequest, context: ChatContext, assistantId: string) {
    const collection = body.conduit?.collection;
    if (!collection) return { system: undefined, citations: [] as Citation[], retrievalMs: null };
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const query = textOf(lastUser?.content ?? '');
    const { chunks, latency_ms, embedding_usage } = await this.retriever.retrieve({
      tenantId: context.tenantId,
      collection,
      query,
      topK: body.conduit?.top_k,
      scoreThreshold: body.conduit?.score_threshold,
    });
    retrievalDuration.observe(latency_ms / 1_000);
    this.billEmbedding(context, assistantId, embedding_usage);
    const system = buildGroundedPrompt(chunks);
    const citations = groundingSources(chunks).map((chunk, index) => ({
      index: index + 1,
      document_id: chunk.document_id,
      chunk_index: chunk.chunk_index,
      score: Math.round(chunk.score * 10_000) / 10_000,
      filename: chunk.filename ?? null,
    }));
    return { system: { role: 'system' as const, content: system.content }, citations, retrievalMs: Math.round(latency_ms) };
  }

  /**
   * Emits the query embedding's usage (`feature: embedding`) off the request path. The event id
   * derives from the answer's id, so an async job run again (whose ids are fixed) bills it once.
   */
  private billEmbedding(context: ChatContext, assistantId: string, usages: EmbeddingUsage[]): void {
    if (usages.length === 0) return;
    const occurredAt = new Date().toISOString();
    this.usage
      .emit(
        usages.map((usage) => ({
          event_id: uuidFromName(`embedding:query:${assistantId}:${usage.model}`),
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
        })),
      )
      .catch((error: unknown) => this.logger.error({ err: error, request_id: context.requestId }, 'could not emit the query embedding usage'));
  }

  /**
   * One non-streaming completion. The turn is stored in the background, or — `durable` (async
   * jobs) — before this resolves, failing if it cannot be stored or its usage event not emitted.
   */
  async complete(chat: PreparedChat, signal: AbortSignal, options: { durable?: boolean } = {}) {
    const result = await this.llm
      .complete(chat.body.model, chat.request, { signal, requestId: chat.context.requestId })
      .catch((error: unknown) => Promise.reject(toChatException(error)));
    const latencyMs = Math.round(performance.now() - chat.startedAt);
    const stored = this.finish(
      chat,
      {
        content: result.completion.content,
        status: 'complete',
        provider: result.provider,
        model: result.model,
        usage: result.completion.usage,
        usageEstimated: false,
        latencyMs,
        ttftMs: null,
        metadata: {
          finish_reason: result.completion.finish_reason,
          attempts: result.attempts.length,
          ...(result.completion.tool_calls?.length ? { tool_calls: JSON.stringify(result.completion.tool_calls) } : {}),
        },
      },
      options.durable,
    );
    if (stored) await stored;
    return result;
  }

  /** Opens the upstream stream; resolves at the first token, before which retries and fallback apply. */
  openStream(chat: PreparedChat, signal: AbortSignal) {
    return this.llm
      .openStream(chat.body.model, chat.request, { signal, requestId: chat.context.requestId })
      .catch((error: unknown) => Promise.reject(toChatException(error)));
  }

  /** Records a finished, cancelled or broken stream with what was actually produced. */
  recordStream(
    chat: PreparedChat,
    stream: { provider: string; model: string; ttftMs: number },
    outcome: { content: string; usage: TokenUsage | undefined; finishReason: string; cancelled: boolean; error?: unknown },
  ): void {
    const estimated = outcome.usage === undefined;
    const usage = outcome.usage ?? {
      input_tokens: chat.request.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0),
      output_tokens: estimateTokens(outcome.content),
      cached_tokens: 0,
    };
    this.finish(chat, {
      content: outcome.content,
      status: outcome.cancelled || outcome.error ? 'partial' : 'complete',
      provider: stream.provider,
      model: stream.model,
      usage,
      usageEstimated: estimated,
      latencyMs: Math.round(performance.now() - chat.startedAt),
      ttftMs: Math.round(stream.ttftMs),
      metadata: {
        finish_reason: outcome.cancelled ? 'cancelled' : outcome.finishReason,
        ...(outcome.error instanceof LlmError ? { error: outcome.error.kind } : {}),
      },
    });
  }

  /**
   * Ends a call: prices it with the billing price list at the moment it is recorded (the same
   * instant billing prices the usage event at, so `cost_usd` equals the billed cost), settles the
   * gateway's budget reservation with that cost, and records the turn.
   */
  private finish(chat: PreparedChat, result: Omit<ChatTurn['assistant'], 'id' | 'costUsd' | 'createdAt'>, durable = false): Promise<void> | undefined {
    const createdAt = new Date();
    const cost = result.model ? this.prices.costOf(result.model, result.usage, createdAt) : { usd: 0, nano: 0 };
    const { tenantId, reservationId, requestId } = chat.context;
    if (reservationId) this.settler.settle({ tenantId, reservationId, requestId }, cost.nano, result.usage.input_tokens + result.usage.output_tokens);
    const turn = this.turn(chat, result, cost.usd, createdAt);
    if (durable) return this.store.save(turn);
    this.store.record(turn);
    return undefined;
  }

  private turn(
    chat: PreparedChat,
    result: Omit<ChatTurn['assistant'], 'id' | 'costUsd' | 'createdAt'>,
    costUsd: number,
    createdAt: Date,
  ): ChatTurn {
    const firstUser = chat.body.messages.find((m) => m.role === 'user');
    return {
      context: chat.context,
      sessionId: chat.sessionId,
      newSession: chat.newSession,
      // Cutting at 80 code units may split a surrogate pair; the half left is replaced.
      title: cleanText(textOf(firstUser?.content ?? '').slice(0, 80)) || 'Untitled',
      userMessage: chat.userMessage,
      assistant: {
        ...result,
        // The provider's output was never validated by the edge: a NUL or an unpaired surrogate in
        // it would make Postgres refuse the whole turn, so they are stored as U+FFFD.
        content: cleanText(result.content),
        metadata: chat.citations.length
          ? { ...result.metadata, citations: chat.citations.map((c) => ({ ...c })), retrieval_ms: chat.retrievalMs }
          : result.metadata,
        id: chat.assistantId,
        costUsd,
        createdAt,
      },
    };
  }
}
