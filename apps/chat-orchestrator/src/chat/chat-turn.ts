import type { MessageStatus, Prisma } from '@conduit/db';
import type { TokenUsage } from '@conduit/llm';
import type { ChatContext } from './chat-context';

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
