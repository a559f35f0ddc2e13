import { z } from 'zod';
import type { Message, MessageRole, MessageStatus } from '@conduit/db';
import { cursorParam, jsonObject, limitParam, unixSeconds } from '../sessions/list-page';

export const FEEDBACK_COMMENT_MAX = 2000;

/** `GET /v1/sessions/:id/messages`: oldest first unless `order=desc`. */
export const listMessagesQuerySchema = z.strictObject({
  limit: limitParam(50),
  after: cursorParam,
  order: z.enum(['asc', 'desc']).optional().transform((order) => order ?? 'asc'),
});

export type ListMessagesQuery = z.output<typeof listMessagesQuerySchema>;

export type Rating = 'up' | 'down';

/** `POST /v1/messages/:id/feedback`. Replaces any earlier feedback, comment included. */
export const feedbackBodySchema = z.strictObject({
  rating: z.enum(['up', 'down'], "rating must be 'up' or 'down'"),
  comment: z.string().max(FEEDBACK_COMMENT_MAX, `comment is at most ${FEEDBACK_COMMENT_MAX} characters`).nullable().optional(),
});

export type FeedbackBody = z.output<typeof feedbackBodySchema>;

/** Stored form of a rating: 1 (thumbs up) or -1 (thumbs down). */
export function ratingValue(rating: Rating): number {
  return rating === 'up' ? 1 : -1;
}

export function ratingOf(value: number | null): Rating | null {
  if (value === 1) return 'up';
  if (value === -1) return 'down';
  return null;
}

export interface MessageObject {
  id: string;
  object: 'message';
  session_id: string;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  model: string | null;
  provider: string | null;
  usage: { prompt_tokens: number; completion_tokens: number };
  cost_usd: number;
  latency_ms: number | null;
  ttft_ms: number | null;
  rating: Rating | null;
  feedback_comment: string | null;
  metadata: Record<string, unknown>;
  created_at: number;
}

export function toMessageObject(message: Message): MessageObject {
  return {
    id: message.id,
    object: 'message',
    session_id: message.sessionId,
    role: message.role,
    content: message.content,
    status: message.status,
    model: message.model,
    provider: message.provider,
    usage: { prompt_tokens: message.tokensIn, completion_tokens: message.tokensOut },
    cost_usd: message.costUsd.toNumber(),
    latency_ms: message.latencyMs,
    ttft_ms: message.ttftMs,
    rating: ratingOf(message.rating),
    feedback_comment: message.feedbackComment,
    metadata: jsonObject(message.metadata),
    created_at: unixSeconds(message.createdAt),
  };
}
