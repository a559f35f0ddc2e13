import type { FastifyReply, FastifyRequest } from 'fastify';
import { contentText, contentTokens, lastUserText } from '../core/message-text';
import { parseBody } from '../core/parse-body';
import { checkAnthropicToolSequence } from '../core/tool-sequence';
import { requestImages, requestParams } from '../core/request-images';
import { pickToolCall } from '../core/reply-text';
import { countTokens, truncateToTokens } from '../core/token-count';
import type { MockExchange } from '../exchange/mock-exchange';
import type { MockLlmState } from '../mock-llm.state';
import { anthropicWire } from './anthropic.wire';
import { anthropicMessage, anthropicMessageStream, type AnthropicMessageMeta } from './anthropic-messages.payloads';
import {
  anthropicCountTokensRequestSchema,
  anthropicMessagesRequestSchema,
  type AnthropicCountTokensRequest,
  type AnthropicMessagesRequest,
} from './anthropic.schemas';

/** Input tokens: the system prompt plus every message's text. */
function inputTokens(body: AnthropicCountTokensRequest): number {
  let tokens = body.system === undefined ? 0 : contentTokens(body.system);
  for (const message of body.messages) tokens += contentTokens(message.content);
  return tokens;
}

/** The tool to call when tools are offered and the last message is a user message asking for one. */
function requestedTool(body: AnthropicMessagesRequest): string | undefined {
  if (!body.tools || body.tools.length === 0) return undefined;
  const last = body.messages[body.messages.length - 1];
  if (last.role !== 'user') return undefined;
  return pickToolCall(
    contentText(last.content),
    body.tools.map((tool) => tool.name),
  );
}

/** The tool a `tool_choice: {type: "tool", name}` forces, when the request offers it. */
function forcedTool(body: AnthropicMessagesRequest): { name: string; input_schema?: Record<string, unknown> } | undefined {
  const choice = body.tool_choice;
  if (choice?.type !== 'tool' || choice.name === undefined) return undefined;
  return body.tools?.find((tool) => tool.name === choice.name);
}

/**
 * A forced tool call: the tool's input is JSON mode / schema mode of its `input_schema` (see
 * `core/json-reply.ts`); a `[[json:invalid]]` answer is a text block instead (the model ignoring
 * the forced tool), so a caller extracting the tool input sees no JSON.
 */
function answerForcedTool(
  state: MockLlmState,
  exchange: MockExchange,
  body: AnthropicMessagesRequest,
  stream: boolean,
  tool: { name: string; input_schema?: Record<string, unknown> },
): void {
  const { entry } = exchange;
  const meta: AnthropicMessageMeta = { id: `msg_${entry.id.slice(4)}`, model: body.model };
  const cache = { read: entry.cache_read_tokens, write: entry.cache_write_tokens };
  const json = state.jsonAnswer(exchange, lastUserText(body.messages), tool.input_schema ?? { type: 'object' });
  if (json.kind === 'text') {
    const completion = truncateToTokens(json.text, body.max_tokens);
    entry.completion_tokens = completion.tokens.length;
    const stopReason = completion.truncated ? 'max_tokens' : 'end_turn';
    if (stream) exchange.sendStream(anthropicMessageStream(meta, { tokens: completion.tokens }, stopReason, entry.prompt_tokens, entry.completion_tokens, cache));
    else exchange.sendJson(anthropicMessage(meta, { text: completion.text }, stopReason, entry.prompt_tokens, entry.completion_tokens, cache));
    return;
  }
  const input = json.value as Record<string, unknown>;
  const toolUse = { id: `toolu_${entry.id.slice(4)}`, name: tool.name, input };
  entry.completion_tokens = countTokens(tool.name) + countTokens(JSON.stringify(input));
  if (stream) exchange.sendStream(anthropicMessageStream(meta, { toolUse }, 'tool_use', entry.prompt_tokens, entry.completion_tokens, cache));
  else exchange.sendJson(anthropicMessage(meta, { toolUse }, 'tool_use', entry.prompt_tokens, entry.completion_tokens, cache));
}

function answer(state: MockLlmState, exchange: MockExchange, body: AnthropicMessagesRequest, stream: boolean): void {
  const { entry } = exchange;
  const meta: AnthropicMessageMeta = { id: `msg_${entry.id.slice(4)}`, model: body.model };
  const cache = { read: entry.cache_read_tokens, write: entry.cache_write_tokens };

  const forced = forcedTool(body);
  if (forced !== undefined) {
    answerForcedTool(state, exchange, body, stream, forced);
    return;
  }

  const toolName = requestedTool(body);
  if (toolName !== undefined) {
    const toolUse = { id: `toolu_${entry.id.slice(4)}`, name: toolName, input: {} };
    entry.completion_tokens = countTokens(toolName) + countTokens('{}');
    if (stream) {
      exchange.sendStream(anthropicMessageStream(meta, { toolUse }, 'tool_use', entry.prompt_tokens, entry.completion_tokens, cache));
    } else {
      exchange.sendJson(anthropicMessage(meta, { toolUse }, 'tool_use', entry.prompt_tokens, entry.completion_tokens, cache));
    }
    return;
  }

  const completion = truncateToTokens(state.replyText(exchange, lastUserText(body.messages)), body.max_tokens);
  const stopReason = completion.truncated ? 'max_tokens' : 'end_turn';
  entry.completion_tokens = completion.tokens.length;
  if (stream) {
    exchange.sendStream(
      anthropicMessageStream(meta, { tokens: completion.tokens }, stopReason, entry.prompt_tokens, entry.completion_tokens, cache),
    );
  } else {
    exchange.sendJson(
      anthropicMessage(meta, { text: completion.text }, stopReason, entry.prompt_tokens, entry.completion_tokens, cache),
    );
  }
}

/** `POST /v1/messages`, plain and streaming. */
export function anthropicMessagesHandler(state: MockLlmState) {
  return function messages(request: FastifyRequest, reply: FastifyReply): void {
    const body = parseBody(anthropicMessagesRequestSchema, request.body);
    checkAnthropicToolSequence(body.messages);
    const stream = body.stream === true;
    const exchange = state.begin(request, reply, anthropicWire, {
      model: body.model,
      stream,
      promptTokens: inputTokens(body),
      promptCache: state.promptCache.anthropic(body),
      promptText: [...(body.system === undefined ? [] : [contentText(body.system)]), ...body.messages.map((message) => contentText(message.content))].join('\n'),
      outputFormat: body.output_config?.format?.type ?? (forcedTool(body) !== undefined ? `tool:${body.tool_choice?.name ?? ''}` : null),
      images: requestImages(body.messages),
      params: requestParams(body),
    });
    if (exchange.applyFault()) return;
    answer(state, exchange, body, stream);
  };
}

/** `POST /v1/messages/count_tokens`: the same input-token estimate `usage.input_tokens` reports. */
export function anthropicCountTokensHandler(state: MockLlmState) {
  return function countTokensRoute(request: FastifyRequest, reply: FastifyReply): void {
    const body = parseBody(anthropicCountTokensRequestSchema, request.body);
    const tokens = inputTokens(body);
    const exchange = state.begin(request, reply, anthropicWire, { model: body.model, stream: false, promptTokens: tokens });
    if (exchange.applyFault()) return;
    exchange.sendJson({ input_tokens: tokens });
  };
}
