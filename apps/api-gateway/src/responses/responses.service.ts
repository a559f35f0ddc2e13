import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ConversationStore } from '@conduit/conversations';
import type { Message } from '@conduit/db';
import type { Principal } from '../auth/principal';
import type { ToolCallInput } from './responses-request';
import { outputOf, ResponseAnswer, responseObject, ResponseSettings, statusOf, usageOf } from './response-object';
import { messageIdOf } from './response-id';
import { ResponsesException } from './responses.exception';

type Owner = Pick<Principal, 'tenantId' | 'userId'>;

/** What the orchestrator stores with a Responses API answer (`messages.metadata`). */
const storedMetadataSchema = z.object({
  responses: z.object({
    store: z.boolean(),
    previous_response_id: z.string().nullable(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
  }),
  finish_reason: z.string().optional(),
  tool_calls: z.string().optional(),
});
type StoredMetadata = z.output<typeof storedMetadataSchema>;

const toolCallsSchema = z.array(z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) }));

function toolCallsOf(stored: StoredMetadata): ToolCallInput[] {
  if (!stored.tool_calls) return [];
  try {
    const parsed = toolCallsSchema.safeParse(JSON.parse(stored.tool_calls));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Stored responses. A response is the assistant message its turn stored (`resp_` + the message
 * id), marked by the orchestrator as a Responses API answer that may be stored; the session it is
 * in carries the conversation, so `previous_response_id` continues that session. Every read is
 * the caller's tenant AND user ({@link ConversationStore}); anything else — another tenant's or
 * user's response, a `store: false` one, a chat completion's answer, a deleted one — is 404
 * `response_not_found`.
 */
@Injectable()
export class ResponsesService {
  constructor(private readonly store: ConversationStore) {}

  /** The session and function calls of the response a request continues (`previous_response_id`). */
  async previous(owner: Owner, responseId: string): Promise<{ sessionId: string; toolCalls: ToolCallInput[] }> {
    const { message, stored } = await this.stored(owner, responseId, 'previous_response_id');
    return { sessionId: message.sessionId, toolCalls: toolCallsOf(stored) };
  }

  async get(owner: Owner, responseId: string) {
    const { message, stored } = await this.stored(owner, responseId, 'id');
    return responseObject(responseId, settingsOfStored(stored), answerOfStored(responseId, message, stored));
  }

  /** Deletes the response's answer and the message that asked it; the session and the usage ledger stay. */
  async delete(owner: Owner, responseId: string): Promise<{ id: string; object: 'response.deleted'; deleted: true }> {
    const { message } = await this.stored(owner, responseId, 'id');
    if (!(await this.store.deleteExchange(owner, message.id))) throw ResponsesException.notFound(responseId, 'id');
    return { id: responseId, object: 'response.deleted', deleted: true };
  }

  private async stored(owner: Owner, responseId: string, param: string): Promise<{ message: Message; stored: StoredMetadata }> {
    const messageId = messageIdOf(responseId);
    const message = messageId ? await this.store.findAnswer(owner, messageId) : null;
    const parsed = message ? storedMetadataSchema.safeParse(message.metadata) : undefined;
    if (!message || !parsed?.success || !parsed.data.responses.store) throw ResponsesException.notFound(responseId, param);
    return { message, stored: parsed.data };
  }
}

/** A stored response echoes what was stored of its request; the rest reads as the defaults. */
function settingsOfStored(stored: StoredMetadata): ResponseSettings {
  return {
    instructions: null,
    maxOutputTokens: null,
    metadata: stored.responses.metadata ?? {},
    previousResponseId: stored.responses.previous_response_id,
    store: true,
    temperature: null,
    topP: null,
    toolChoice: 'auto',
    tools: [],
    user: null,
    text: { format: { type: 'text' } },
  };
}

function answerOfStored(responseId: string, message: Message, stored: StoredMetadata): ResponseAnswer {
  const base = { model: message.model ?? '', createdAt: seconds(message.createdAt), usage: usageOf(message.tokensIn, message.tokensOut) };
  const toolCalls = toolCallsOf(stored);
  if (message.status === 'complete') {
    const { status, incompleteReason } = statusOf(stored.finish_reason);
    const output = outputOf(responseId, message.content, toolCalls, status === 'completed' ? 'completed' : 'incomplete');
    return { ...base, status, incompleteReason, completedAt: status === 'completed' ? base.createdAt : null, output, error: null };
  }
  const output = outputOf(responseId, message.content, toolCalls, 'incomplete');
  if (message.status === 'partial' && stored.finish_reason === 'cancelled') {
    return { ...base, status: 'cancelled', incompleteReason: null, completedAt: null, output, error: null };
  }
  return { ...base, status: 'failed', incompleteReason: null, completedAt: null, output, error: { code: 'server_error', message: 'The answer broke off before it was complete.' } };
}
