import type { MessageStatus, Prisma } from '@conduit/db';

/** Who a turn belongs to and which request produced it. */
export interface TurnContext {
  tenantId: string;
  userId: string;
  requestId: string;
}

/** A tool call an assistant message made, as the OpenAI wire spells it (stored in `messages.tool_calls`). */
export interface StoredToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A tool result the caller sent (stored with role `tool` and the call it answers). */
export interface StoredToolResult {
  id: string;
  content: string;
  toolCallId: string;
  createdAt: Date;
}

/** One finished exchange, as it is stored (and billed by the caller). */
export interface ChatTurn<C extends TurnContext = TurnContext> {
  context: C;
  sessionId: string;
  newSession: boolean;
  title: string;
  /** The request's last message when it is the caller's (a tool result carries the call it answers). */
  userMessage: { id: string; role: 'user' | 'tool'; content: string; createdAt: Date; toolCallId?: string } | null;
  /**
   * Tool results the request sent before its last message (parallel tool calls: one result per
   * call), stored before it, so the stored history keeps every result of an assistant's calls.
   */
  toolResults?: StoredToolResult[];
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
    /** The tools the answer called (`messages.tool_calls`). */
    toolCalls?: StoredToolCall[];
  };
}
