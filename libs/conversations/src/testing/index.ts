import { randomUUID } from 'node:crypto';
import type { ChatTurn, TurnContext } from '../chat-turn';

/** Fixtures for integration tests (`@conduit/conversations/testing`); never imported by service code. */

export interface TurnSpec<C extends TurnContext = TurnContext> {
  owner: { tenantId: string; userId: string };
  /** Extra context fields (the orchestrator's turns carry its whole chat context). */
  context?: Omit<C, keyof TurnContext> & Partial<TurnContext>;
  /** A session to continue; a new one (fresh id) when absent. */
  sessionId?: string;
  newSession?: boolean;
  title?: string;
  /** The caller's message; `null` for none. */
  user?: { role: 'user' | 'tool'; content: string; toolCallId?: string } | null;
  assistant?: Partial<ChatTurn['assistant']>;
  createdAt?: Date;
}

/** A finished turn with fresh ids (`spec` fixes what a test cares about); the user's message 250 ms before the answer. */
export function makeTurn<C extends TurnContext = TurnContext>(spec: TurnSpec<C>): ChatTurn<C> {
  const createdAt = spec.createdAt ?? new Date();
  const user = spec.user === undefined ? { role: 'user' as const, content: 'Hello there' } : spec.user;
  return {
    context: { tenantId: spec.owner.tenantId, userId: spec.owner.userId, requestId: `req-${randomUUID()}`, ...spec.context } as C,
    sessionId: spec.sessionId ?? randomUUID(),
    newSession: spec.newSession ?? spec.sessionId === undefined,
    title: spec.title ?? 'Hello there',
    userMessage: user ? { id: randomUUID(), ...user, createdAt: new Date(createdAt.getTime() - 250) } : null,
    assistant: {
      id: randomUUID(),
      content: 'Mock reply',
      status: 'complete',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      usage: { input_tokens: 12, output_tokens: 34, cached_tokens: 5 },
      usageEstimated: false,
      costUsd: 0.000546,
      latencyMs: 250,
      ttftMs: null,
      metadata: { finish_reason: 'stop', attempts: 1 },
      createdAt,
      ...spec.assistant,
    },
  };
}

/** The ids of the turns' messages, user message first. */
export const messageIds = (turns: readonly ChatTurn<TurnContext>[]): string[] => turns.flatMap((t) => [...(t.userMessage ? [t.userMessage.id] : []), t.assistant.id]);
