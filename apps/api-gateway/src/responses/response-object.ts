import type { ResponsesRequest, ToolCallInput } from './responses-request';
import { functionCallItemIdOf, messageItemIdOf } from './response-id';

/** What a response echoes of the request that created it (a stored one: what was stored). */
export interface ResponseSettings {
  instructions: string | null;
  maxOutputTokens: number | null;
  metadata: Record<string, string>;
  previousResponseId: string | null;
  store: boolean;
  temperature: number | null;
  topP: number | null;
  toolChoice: unknown;
  tools: unknown[];
  user: string | null;
  text: unknown;
}

export type ResponseStatus = 'completed' | 'incomplete' | 'in_progress' | 'failed' | 'cancelled';

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** The answer a response reports. */
export interface ResponseAnswer {
  model: string;
  createdAt: number;
  /** When it completed (unix seconds); null while it is not. */
  completedAt: number | null;
  status: ResponseStatus;
  incompleteReason: 'max_output_tokens' | 'content_filter' | null;
  output: unknown[];
  usage: ResponseUsage | null;
  error: { code: string; message: string } | null;
}

export function settingsOf(body: ResponsesRequest): ResponseSettings {
  return {
    instructions: body.instructions ?? null,
    maxOutputTokens: body.max_output_tokens ?? null,
    metadata: body.metadata ?? {},
    previousResponseId: body.previous_response_id ?? null,
    store: body.store ?? true,
    temperature: body.temperature ?? null,
    topP: body.top_p ?? null,
    toolChoice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    user: body.user ?? null,
    text: body.text?.format ? { format: body.text.format } : { format: { type: 'text' } },
  };
}

export function usageOf(input: number, output: number, cached = 0): ResponseUsage {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

/** A chat finish reason as a response's status. */
export function statusOf(finishReason: string | null | undefined): Pick<ResponseAnswer, 'status' | 'incompleteReason'> {
  if (finishReason === 'length') return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
  if (finishReason === 'content_filter') return { status: 'incomplete', incompleteReason: 'content_filter' };
  return { status: 'completed', incompleteReason: null };
}

export function messageItem(responseId: string, text: string, status: 'in_progress' | 'completed' | 'incomplete') {
  return {
    type: 'message',
    id: messageItemIdOf(responseId),
    status,
    role: 'assistant',
    content: status === 'in_progress' ? [] : [outputText(text)],
  };
}

export function outputText(text: string) {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function functionCallItem(responseId: string, index: number, call: ToolCallInput, status: 'in_progress' | 'completed' | 'incomplete') {
  return {
    type: 'function_call',
    id: functionCallItemIdOf(responseId, index),
    call_id: call.id,
    name: call.function.name,
    arguments: call.function.arguments,
    status,
  };
}

/** The output items of an answer: its text as a message (unless it only called tools), then one item per function call. */
export function outputOf(responseId: string, content: string, toolCalls: readonly ToolCallInput[], status: 'completed' | 'incomplete'): unknown[] {
  const items: unknown[] = [];
  if (content !== '' || toolCalls.length === 0) items.push(messageItem(responseId, content, status));
  toolCalls.forEach((call, index) => items.push(functionCallItem(responseId, index, call, status)));
  return items;
}

/**
 * The `response` object. `output_text` is left out: it is an SDK convenience that the openai
 * clients compute from `output` themselves.
 */
export function responseObject(id: string, settings: ResponseSettings, answer: ResponseAnswer) {
  return {
    id,
    object: 'response',
    created_at: answer.createdAt,
    status: answer.status,
    completed_at: answer.completedAt,
    background: false,
    error: answer.error,
    incomplete_details: answer.incompleteReason ? { reason: answer.incompleteReason } : null,
    instructions: settings.instructions,
    max_output_tokens: settings.maxOutputTokens,
    model: answer.model,
    output: answer.output,
    parallel_tool_calls: true,
    previous_response_id: settings.previousResponseId,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: settings.store,
    temperature: settings.temperature,
    text: settings.text,
    tool_choice: settings.toolChoice,
    tools: settings.tools,
    top_p: settings.topP,
    truncation: 'disabled',
    usage: answer.usage,
    user: settings.user,
    metadata: settings.metadata,
  };
}
