import type { StreamFrames } from '../exchange/mock-exchange';
import { NO_PROMPT_CACHE, type PromptCacheUsage } from '../core/prompt-cache';
import { SSE_DONE, sseData } from '../streaming/sse-frame';

export type OpenAiFinishReason = 'stop' | 'length' | 'tool_calls';

/** Identity shared by a completion and all of its chunks. */
export interface OpenAiCompletionMeta {
  id: string;
  created: number;
  model: string;
}

/** A tool call the mock makes, with its arguments as a JSON string. */
export interface OpenAiToolCall {
  id: string;
  name: string;
  arguments: string;
}

export function openAiUsage(promptTokens: number, completionTokens: number, cache: PromptCacheUsage = NO_PROMPT_CACHE) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cache.read, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function toolCallJson(call: OpenAiToolCall) {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
}

/** Tool-call output: one call, or several in one step (`toolCalls`, the tool-loop directives). */
type ToolOutput = { toolCall: OpenAiToolCall } | { toolCalls: readonly OpenAiToolCall[] };

function callsOf(output: ToolOutput): readonly OpenAiToolCall[] {
  return 'toolCall' in output ? [output.toolCall] : output.toolCalls;
}

/** A non-streaming `chat.completion` with either text or tool calls. */
export function openAiChatCompletion(
  meta: OpenAiCompletionMeta,
  output: { text: string } | ToolOutput,
  finishReason: OpenAiFinishReason,
  promptTokens: number,
  completionTokens: number,
  cache: PromptCacheUsage = NO_PROMPT_CACHE,
) {
  const message =
    !('text' in output)
      ? { role: 'assistant', content: null, refusal: null, annotations: [], tool_calls: callsOf(output).map(toolCallJson) }
      : { role: 'assistant', content: output.text, refusal: null, annotations: [] };
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage: openAiUsage(promptTokens, completionTokens, cache),
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
  };
}

/**
 * `chat.completion.chunk` frames: a role chunk, one chunk per token (or one tool-call chunk), a
 * chunk with the finish reason, with `include_usage` a final chunk with empty choices and the
 * usage, then `[DONE]`. The JSON is assembled from pre-escaped pieces so each token costs one
 * small string.
 */
export function openAiChatStream(
  meta: OpenAiCompletionMeta,
  output: { tokens: readonly string[] } | ToolOutput,
  finishReason: OpenAiFinishReason,
  includeUsage: boolean,
  promptTokens: number,
  completionTokens: number,
  cache: PromptCacheUsage = NO_PROMPT_CACHE,
): StreamFrames {
  const prefix = `{"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"service_tier":"default","system_fingerprint":"fp_mock","choices":[`;
  const suffix = includeUsage ? '],"usage":null}' : ']}';
  const choice = (delta: string, finish: string) =>
    sseData(`${prefix}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}${suffix}`);

  const isToolCall = !('tokens' in output);
  const head = choice(`{"role":"assistant","content":${isToolCall ? 'null' : '""'},"refusal":null}`, 'null');
  const frames = isToolCall
    ? callsOf(output).map((call, index) => choice(`{"tool_calls":[${JSON.stringify({ index, ...toolCallJson(call) })}]}`, 'null'))
    : output.tokens.map((token) => choice(`{"content":${JSON.stringify(token)}}`, 'null'));

  let tail = choice('{}', `"${finishReason}"`);
  if (includeUsage) {
    const usage = JSON.stringify(openAiUsage(promptTokens, completionTokens, cache));
    tail += sseData(`${prefix}],"usage":${usage}}`);
  }
  return { head, frames, tail: tail + SSE_DONE };
}

/**
 * A `chat.completion` with `n` identical choices (indexes 0..n-1) and, when asked, logprobs for
 * each token of the text (deterministic values; `top_logprobs` alternatives per token). Usage
 * counts every choice's completion tokens.
 */
export function withChoicesAndLogprobs(
  completion: ReturnType<typeof openAiChatCompletion>,
  options: { n: number; logprobs: boolean; topLogprobs: number; tokens: readonly string[] },
  promptTokens: number,
  completionTokens: number,
  cache: PromptCacheUsage = NO_PROMPT_CACHE,
) {
  const [first] = completion.choices;
  const logprobs = options.logprobs ? logprobsOf(options.tokens, options.topLogprobs) : null;
  return {
    ...completion,
    choices: Array.from({ length: options.n }, (_, index) => ({ ...first, index, logprobs })),
    usage: openAiUsage(promptTokens, completionTokens * options.n, cache),
  };
}

function bytesOf(token: string): number[] {
  return [...Buffer.from(token, 'utf8')];
}

/** OpenAI's logprobs object: one entry per token, the chosen token most likely. */
export function logprobsOf(tokens: readonly string[], top: number) {
  return {
    content: tokens.map((token, i) => ({
      token,
      logprob: -0.01 * ((i % 7) + 1),
      bytes: bytesOf(token),
      top_logprobs: Array.from({ length: top }, (_, k) => {
        const alternative = k === 0 ? token : `${token}~${k}`;
        return { token: alternative, logprob: -0.01 * ((i % 7) + 1) - k, bytes: bytesOf(alternative) };
      }),
    })),
    refusal: null,
  };
}
