import type { MessageStatus, Prisma } from '@conduit/db';

/** Who a turn belongs to and which request produced it. */
export interface TurnContext {
  tenantId: string;
  userId: string;
  requestId: string;
}

/** One finished exchange, as it is stored (and billed by the caller). */
export interface ChatTurn<C extends TurnContext = TurnContext> {
  context: C;
  sessionId: string;
  newSession: boolean;
  title: string;
  userMessage: { id: string; role: 'user' | 'tool'; content: string; createdAt: Date } | null;
  /** The prompt template version the turn was rendered from (`messages.prompt_name`, `prompt_version`). */
  prompt?: { name: string; version: number } | null;
  assistant: {
    id: string;
    content: string;
    status: MessageStatus;
    provider: string | null;
    model: string | null;
    usage: { input_tokens: number; output_tokens: number; cached_tokens: number; cache_write_tokens?: number };
    usageEstimated: boolean;
    costUsd: number;
    latencyMs: number;
    ttftMs: number | null;
    metadata: Prisma.InputJsonObject;
    createdAt: Date;
  };
}
