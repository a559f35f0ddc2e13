import type OpenAI from 'openai';
import type { ChatChoice, ChatCompletion, ChatMessage, ChatRequest, FinishReason, TokenUsage, ToolCall } from '../llm.types';

/** Which field carries the output limit: OpenAI's own API wants `max_completion_tokens`, most compatible servers `max_tokens`. */
export type MaxTokensParam = 'max_tokens' | 'max_completion_tokens';

type Params = Omit<OpenAI.ChatCompletionCreateParamsNonStreaming, 'stream'>;

function toMessage(message: ChatMessage): OpenAI.ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content, ...(message.name !== undefined ? { name: message.name } : {}) };
    case 'user':
      return {
        role: 'user',
        content: message.images?.length
          ? [
              ...(message.content !== '' ? [{ type: 'text' as const, text: message.content }] : []),
              ...message.images.map((image) => ({
                type: 'image_url' as const,
                image_url: { url: image.url, ...(image.detail !== undefined ? { detail: image.detail } : {}) },
              })),
            ]
          : message.content,
        ...(message.name !== undefined ? { name: message.name } : {}),
      };
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
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.logprobs !== undefined ? { logprobs: request.logprobs } : {}),
    ...(request.top_logprobs !== undefined ? { top_logprobs: request.top_logprobs } : {}),
    ...(request.parallel_tool_calls !== undefined && request.tools?.length ? { parallel_tool_calls: request.parallel_tool_calls } : {}),
    ...(request.presence_penalty !== undefined ? { presence_penalty: request.presence_penalty } : {}),
    ...(request.frequency_penalty !== undefined ? { frequency_penalty: request.frequency_penalty } : {}),
    ...(request.logit_bias !== undefined ? { logit_bias: request.logit_bias } : {}),
    ...(request.n !== undefined && request.n !== 1 ? { n: request.n } : {}),
    ...(request.metadata !== undefined ? { metadata: request.metadata } : {}),
    ...(request.reasoning_effort !== undefined ? { reasoning_effort: request.reasoning_effort } : {}),
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

function fromOpenAiChoice(choice: OpenAI.ChatCompletion.Choice | undefined): ChatChoice {
  const toolCalls: ToolCall[] = [];
  for (const call of choice?.message.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    toolCalls.push({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } });
  }
  return {
    content: choice?.message.content ?? '',
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    finish_reason: fromOpenAiFinishReason(choice?.finish_reason),
    ...(choice?.logprobs != null ? { logprobs: choice.logprobs } : {}),
  };
}

/** The first choice as the completion; with `n > 1`, the others (by `index`) in `more_choices`. */
export function fromOpenAiCompletion(completion: OpenAI.ChatCompletion): ChatCompletion {
  const choices = [...completion.choices].sort((a, b) => a.index - b.index);
  const [first, ...rest] = choices.map(fromOpenAiChoice);
  return {
    ...(first ?? fromOpenAiChoice(undefined)),
    ...(rest.length > 0 ? { more_choices: rest } : {}),
    usage: fromOpenAiUsage(completion.usage),
    upstream_id: completion.id,
    model: completion.model,
  };
}
