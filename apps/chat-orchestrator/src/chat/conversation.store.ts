import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { JobName } from '@conduit/contracts';
import { MessageRole, MessageStatus, Prisma, PrismaService } from '@conduit/db';
import type { ChatMessage, TokenUsage } from '@conduit/llm';
import { JobProducer } from '@conduit/queue';
import type { ChatContext } from './chat-context';
import { ChatErrorCode, ChatException } from './chat.exception';
import { estimateTokens } from './token-estimate';

export interface HistoryLimits {
  maxMessages: number;
  maxTokens: number;
}

/** One finished exchange, as it will be stored and billed. */
export interface ChatTurn {
  context: ChatContext;
  sessionId: string;
  newSession: boolean;
  title: string;
  userMessage: { id: string; role: 'user' | 'tool'; content: string; createdAt: Date } | null;
  assistant: {
    id: string;
    content: string;
    status: MessageStatus;
    provider: string | null;
    model: string | null;
    usage: TokenUsage;
    usageEstimated: boolean;
    costUsd: number;
    latencyMs: number;
    ttftMs: number | null;
    metadata: Prisma.InputJsonObject;
    createdAt: Date;
  };
}

/**
 * Sessions and messages of the chat path. Writes happen after the answer has gone to the client
 * (they are not on the latency path) but are tracked, so a graceful shutdown waits for them.
 */
@Injectable()
export class ConversationStore implements OnApplicationShutdown {
  private readonly logger = new Logger(ConversationStore.name);
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
  ) {}

  /** The session's recent messages within the limits, oldest first; 404 when it is not the caller's. */
  async history(context: ChatContext, sessionId: string, limits: HistoryLimits): Promise<ChatMessage[]> {
    const session = await this.prisma.session.findFirst({
      where: { id: sessionId, tenantId: context.tenantId, userId: context.userId },
      select: {
        messages: {
          where: { status: { in: ['complete', 'partial'] }, role: { in: ['user', 'assistant'] } },
          orderBy: { createdAt: 'desc' },
          take: limits.maxMessages,
          select: { role: true, content: true },
        },
      },
    });
    if (!session) throw new ChatException(ChatErrorCode.SessionNotFound, 404, `No session ${sessionId}.`);
    const kept: ChatMessage[] = [];
    let budget = limits.maxTokens;
    for (const message of session.messages) {
      budget -= estimateTokens(message.content);
      if (budget < 0) break;
      kept.push({ role: message.role as 'user' | 'assistant', content: message.content });
    }
    return kept.reverse();
  }

  /** Stores the turn and emits its usage event in the background. */
  record(turn: ChatTurn): void {
    const work = this.persist(turn).catch((error: unknown) =>
      this.logger.error({ err: error, session_id: turn.sessionId, request_id: turn.context.requestId }, 'could not store chat turn'),
    );
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async persist(turn: ChatTurn): Promise<void> {
    const { context, assistant } = turn;
    const owner = { tenantId: context.tenantId, userId: context.userId };
    const messages: Prisma.MessageCreateManyInput[] = [];
    if (turn.userMessage) {
      messages.push({
        id: turn.userMessage.id,
        sessionId: turn.sessionId,
        ...owner,
        role: turn.userMessage.role as MessageRole,
        content: turn.userMessage.content,
        tokensIn: 0,
        createdAt: turn.userMessage.createdAt,
      });
    }
    messages.push({
      id: assistant.id,
      sessionId: turn.sessionId,
      ...owner,
      role: 'assistant',
      content: assistant.content,
      status: assistant.status,
      tokensIn: assistant.usage.input_tokens,
      tokensOut: assistant.usage.output_tokens,
      provider: assistant.provider,
      model: assistant.model,
      costUsd: assistant.costUsd,
      latencyMs: assistant.latencyMs,
      ttftMs: assistant.ttftMs,
      metadata: { ...assistant.metadata, request_id: context.requestId, usage_estimated: assistant.usageEstimated },
      createdAt: assistant.createdAt,
    });
    await this.prisma.$transaction([
      turn.newSession
        ? this.prisma.session.create({ data: { id: turn.sessionId, ...owner, title: turn.title } })
        : this.prisma.session.update({ where: { id: turn.sessionId }, data: { updatedAt: new Date() } }),
      this.prisma.message.createMany({ data: messages }),
    ]);
    if (assistant.provider && assistant.model && (assistant.usage.input_tokens > 0 || assistant.usage.output_tokens > 0)) {
      await this.producer.enqueue(
        JobName.UsageRecord,
        {
          event_id: assistant.id,
          tenant_id: context.tenantId,
          user_id: context.userId,
          api_key_id: context.apiKeyId,
          request_id: context.requestId.slice(0, 128),
          provider: assistant.provider,
          model: assistant.model,
          input_tokens: assistant.usage.input_tokens,
          output_tokens: assistant.usage.output_tokens,
          cached_tokens: assistant.usage.cached_tokens,
          latency_ms: assistant.latencyMs,
          feature: 'chat',
          occurred_at: assistant.createdAt.toISOString(),
        },
        { jobId: `usage-${assistant.id}` },
      );
    }
  }
}
