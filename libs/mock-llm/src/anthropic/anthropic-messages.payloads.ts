import type { StreamFrames } from '../exchange/mock-exchange';
import { NO_PROMPT_CACHE, type PromptCacheUsage } from '../core/prompt-cache';
import { sseEvent } from '../streaming/sse-frame';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'tool_use';

export interface AnthropicMessageMeta {
  id: string;
  model: string;
}

export interface AnthropicToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** Token counts; `input_tokens` excludes cache reads and writes, as Anthropic reports it. */
function tokenCounts(promptTokens: number, outputTokens: number, cache: PromptCacheUsage) {
  return {
    input_tokens: Math.max(0, promptTokens - cache.read - cache.write),
    cache_creation_input_tokens: cache.write,
    cache_read_input_tokens: cache.read,
    output_tokens: outputTokens,
  };
}

function usage(promptTokens: number, outputTokens: number, cache: PromptCacheUsage) {
  return { ...tokenCounts(promptTokens, outputTokens, cache), service_tier: 'standard' };
}

function toolUseBlock(toolUse: AnthropicToolUse) {
  return { type: 'tool_use', id: toolUse.id, name: toolUse.name, input: toolUse.input };
}

/** A non-streaming `message` with one text block or one tool_use block. */
export function anthropicMessage(
  meta: AnthropicMessageMeta,
  output: { text: string } | { toolUse: AnthropicToolUse },
  stopReason: AnthropicStopReason,
  inputTokens: number,
  outputTokens: number,
  cache: PromptCacheUsage = NO_PROMPT_CACHE,
) {
  const content =
    'toolUse' in output ? [toolUseBlock(output.toolUse)] : [{ type: 'text', text: output.text, citations: null }];
  return {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: usage(inputTokens, outputTokens, cache),
  };
}

/**
 * The event sequence of a streamed message: message_start, content_block_start, ping, one
 * content_block_delta per token (or one input_json_delta), content_block_stop, message_delta
 * (stop_reason, usage.output_tokens), message_stop.
 */
export function anthropicMessageStream(
  meta: AnthropicMessageMeta,
  output: { tokens: readonly string[] } | { toolUse: AnthropicToolUse },
  stopReason: AnthropicStopReason,
  inputTokens: number,
  outputTokens: number,
  cache: PromptCacheUsage = NO_PROMPT_CACHE,
): StreamFrames {
  const message = {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: usage(inputTokens, 1, cache),
  };
  const isToolUse = 'toolUse' in output;
  const block = isToolUse ? { ...toolUseBlock(output.toolUse), input: {} } : { type: 'text', text: '' };
  const head =
    sseEvent('message_start', JSON.stringify({ type: 'message_start', message })) +
    sseEvent('content_block_start', JSON.stringify({ type: 'content_block_start', index: 0, content_block: block })) +
    sseEvent('ping', '{"type": "ping"}');

  const deltaEvent = (delta: string) =>
    sseEvent('content_block_delta', `{"type":"content_block_delta","index":0,"delta":${delta}}`);
  const frames = isToolUse
    ? [deltaEvent(`{"type":"input_json_delta","partial_json":${JSON.stringify(JSON.stringify(output.toolUse.input))}}`)]
    : output.tokens.map((token) => deltaEvent(`{"type":"text_delta","text":${JSON.stringify(token)}}`));

  const messageDelta = {
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: tokenCounts(inputTokens, outputTokens, cache),
  };
  const tail =
    sseEvent('content_block_stop', '{"type":"content_block_stop","index":0}') +
    sseEvent('message_delta', JSON.stringify(messageDelta)) +
    sseEvent('message_stop', '{"type":"message_stop"}');
  return { head, frames, tail };
}
