import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ChatCompletionRequest, maxTokensOf, textOf } from '@conduit/contracts';
import { ChatMessage, ChatRequest, LlmError, LlmGateway, TokenUsage } from '@conduit/llm';
import type { ChatContext } from './chat-context';
import { CHAT_SETTINGS, ChatSettings } from './chat.constants';
import { ConversationStore, ChatTurn } from './conversation.store';
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
  constructor(
    private readonly llm: LlmGateway,
    private readonly store: ConversationStore,
    @Inject(CHAT_SETTINGS) private readonly settings: ChatSettings,
  ) {}

  async prepare(body: ChatCompletionRequest, context: ChatContext): Promise<PreparedChat> {
    const startedAt = performance.now();
    const incoming = body.messages.map(toLlmMessage);
    let messages = incoming;
    if (context.sessionId) {
      const history = await this.store.history(context, context.sessionId, this.settings.history);
      const system = incoming.filter((m) => m.role === 'system');
      messages = [...system, ...history, ...incoming.filter((m) => m.role !== 'system')];
    }
    const last = body.messages[body.messages.length - 1];
    const userMessage =
      last.role === 'user' || last.role === 'tool'
        ? { id: randomUUID(), role: last.role, content: textOf(last.content), createdAt: new Date() }
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
      sessionId: context.sessionId ?? randomUUID(),
      newSession: !context.sessionId,
      userMessage,
      assistantId: randomUUID(),
      responseId: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
      created: Math.floor(Date.now() / 1000),
      startedAt,
    };
  }

  async complete(chat: PreparedChat, signal: AbortSignal) {
    const result = await this.llm
      .complete(chat.body.model, chat.request, { signal, requestId: chat.context.requestId })
      .catch((error: unknown) => Promise.reject(toChatException(error)));
    const latencyMs = Math.round(performance.now() - chat.startedAt);
    this.store.record(
      this.turn(chat, {
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
      }),
    );
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
    this.store.record(
      this.turn(chat, {
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
      }),
    );
  }

  costOf(model: string, usage: TokenUsage): number {
    return this.llm.costOf(model, usage).usd;
  }

  private turn(
    chat: PreparedChat,
    result: Omit<ChatTurn['assistant'], 'id' | 'costUsd' | 'createdAt'>,
  ): ChatTurn {
    const firstUser = chat.body.messages.find((m) => m.role === 'user');
    return {
      context: chat.context,
      sessionId: chat.sessionId,
      newSession: chat.newSession,
      title: textOf(firstUser?.content ?? '').slice(0, 80) || 'Untitled',
      userMessage: chat.userMessage,
      assistant: {
        ...result,
        id: chat.assistantId,
        costUsd: result.model ? this.costOf(result.model, result.usage) : 0,
        createdAt: new Date(),
      },
    };
  }
}
