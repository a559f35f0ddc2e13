import type OpenAI from 'openai';
import type { ChatCompletion, ChatMessage, ChatRequest, FinishReason, TokenUsage, ToolCall } from '../llm.types';

/** Which field carries the output limit: OpenAI's own API wants `max_completion_tokens`, most compatible servers `max_tokens`. */
export type MaxTokensParam = 'max_tokens' | 'max_completion_tokens';

type Params = Omit<OpenAI.ChatCompletionCreateParamsNonStreaming, 'stream'>;

function toMessage(message: ChatMessage): OpenAI.ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content, ...(message.name !== undefined ? { name: message.name } : {}) };
    case 'user':
      return { role: 'user', content: message.content, ...(message.name !== undefined ? { name: message.name } : {}) };
    case 'tool':
      return { role: 'tool', content: message.content, tool_call_id: message.tool_call_id ?? '' };
    case 'assistant': {
      const calls = message.tool_calls ?? [];
      return {
        role: 'assistant',
        content: message.content === '' && calls.length > 0 ? null : message.content,
        ...(message.name !== undefined ? { name: message.name } : {}),
        ...(calls.length > 0
          ? { tool_calls: calls.map((call) => ({ id: call.id, type: 'function' as const, function: { ...call.function } })) }
          : {}),
      };
    }
  }
}

export function toOpenAiParams(request: ChatRequest, maxTokensParam: MaxTokensParam): Params {
  return {
    model: request.model,
    messages: request.messages.map(toMessage),
    ...(request.max_tokens !== undefined ? { [maxTokensParam]: request.max_tokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.top_p !== undefined ? { top_p: request.top_p } : {}),
    ...(request.stop?.length ? { stop: request.stop } : {}),
    ...(request.tools?.length
      ? { tools: request.tools.map((tool) => ({ type: 'function' as const, function: { ...tool.function } })) }
      : {}),
    ...(request.tool_choice !== undefined && request.tools?.length ? { tool_choice: request.tool_choice } : {}),
    ...(request.response_format !== undefined ? { response_format: request.response_format } : {}),
    ...(request.user !== undefined ? { user: request.user } : {}),
  };
}

export function fromOpenAiFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function fromOpenAiUsage(usage: OpenAI.CompletionUsage | null | undefined): TokenUsage {
  return {
    input_tokens: usage?.prompt_tokens ?? 0,
    output_tokens: usage?.completion_tokens ?? 0,
    cached_tokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

export function fromOpenAiCompletion(completion: OpenAI.ChatCompletion): ChatCompletion {
  const choice = completion.choices[0];
  const toolCalls: ToolCall[] = [];
  for (const call of choice?.message.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    toolCalls.push({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } });
  }
  return {
    content: choice?.message.content ?? '',
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    finish_reason: fromOpenAiFinishReason(choice?.finish_reason),
    usage: fromOpenAiUsage(completion.usage),
    upstream_id: completion.id,
    model: completion.model,
  };
}
