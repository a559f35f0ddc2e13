import type { FastifyReply, FastifyRequest } from 'fastify';
import { contentText, contentTokens, lastUserText } from '../core/message-text';
import { parseBody } from '../core/parse-body';
import { checkOpenAiToolSequence } from '../core/tool-sequence';
import { pickToolCall } from '../core/reply-text';
import { directedToolCalls, toolResultPrompt } from '../core/tool-directive';
import { countTokens, truncateToTokens } from '../core/token-count';
import type { MockExchange } from '../exchange/mock-exchange';
import type { MockLlmState } from '../mock-llm.state';
import { requestImages, requestParams } from '../core/request-images';
import { openAiChatCompletion, openAiChatStream, withChoicesAndLogprobs, type OpenAiCompletionMeta } from './openai-chat.payloads';
import { openAiWire } from './openai.wire';
import { openAiChatRequestSchema, type OpenAiChatRequest } from './openai.schemas';

const TOOL_ARGUMENTS = '{}';

function promptTokens(body: OpenAiChatRequest): number {
  let tokens = 0;
  for (const message of body.messages) tokens += contentTokens(message.content);
  return tokens;
}

/** The calls `[[tool:NAME {json}]]` directives ask for (see core/tool-directive.ts). */
function directedCalls(body: OpenAiChatRequest) {
  if (!body.tools || body.tools.length === 0) return [];
  const names = body.tools.flatMap((tool) => (tool.function ? [tool.function.name] : []));
  const last = body.messages[body.messages.length - 1];
  return directedToolCalls(lastUserText(body.messages), names, last?.role === 'tool');
}

/** The trailing tool results of the conversation (answered in text by the directives' mock). */
function trailingToolResults(body: OpenAiChatRequest): string[] {
  const results: string[] = [];
  for (let i = body.messages.length - 1; i >= 0 && body.messages[i].role === 'tool'; i--) results.unshift(contentText(body.messages[i].content));
  return results;
}

/** The tool to call when tools are offered and the last message is a user message asking for one. */
function requestedTool(body: OpenAiChatRequest): string | undefined {
  if (!body.tools || body.tools.length === 0) return undefined;
  const last = body.messages[body.messages.length - 1];
  if (last.role !== 'user') return undefined;
  const names = body.tools.flatMap((tool) => (tool.function ? [tool.function.name] : []));
  return pickToolCall(contentText(last.content), names);
}

/**
 * The reply text: JSON (schema mode for `json_schema`, JSON mode for `json_object`; see
 * `core/json-reply.ts`) when the request asks for it, else the usual reply.
 */
function replyTextOf(state: MockLlmState, exchange: MockExchange, body: OpenAiChatRequest): string {
  const format = body.response_format;
  const lastText = lastUserText(body.messages);
  if (format?.type !== 'json_object' && format?.type !== 'json_schema') {
    // After a tool directive (`[[tool:…]]`), the reply after the tools' results names those results.
    const toolResults = trailingToolResults(body);
    const prompt = toolResults.length > 0 && /\[\[tool\*?:/.test(lastText) ? toolResultPrompt(toolResults) : lastText;
    return state.replyText(exchange, prompt);
  }
  const schema = format.type === 'json_schema' ? (format.json_schema?.schema ?? undefined) : undefined;
  const answer = state.jsonAnswer(exchange, lastText, schema);
  return answer.kind === 'text' ? answer.text : JSON.stringify(answer.value);
}

/** `POST /v1/chat/completions`, plain and streaming. */
export function openAiChatHandler(state: MockLlmState) {
  return function chatCompletions(request: FastifyRequest, reply: FastifyReply): void {
    const body = parseBody(openAiChatRequestSchema, request.body);
    checkOpenAiToolSequence(body.messages);
    const stream = body.stream === true;
    const exchange = state.begin(request, reply, openAiWire, {
      model: body.model,
      stream,
      promptTokens: promptTokens(body),
      promptCache: state.promptCache.openAi(body),
      promptText: body.messages.map((message) => contentText(message.content)).join('\n'),
      outputFormat: body.response_format?.type ?? null,
      images: requestImages(body.messages),
      params: requestParams(body),
    });
    if (exchange.applyFault()) return;

    const { entry } = exchange;
    const meta: OpenAiCompletionMeta = {
      id: `chatcmpl-${entry.id.slice(4)}`,
      created: Math.floor(entry.started_at / 1000),
      model: body.model,
    };
    const includeUsage = body.stream_options?.include_usage === true;
    const cache = { read: entry.cache_read_tokens, write: 0 };
    // `n` choices and logprobs (plain answers): every choice the same answer.
    const choices = body.n ?? 1;
    const shaped = (json: ReturnType<typeof openAiChatCompletion>, tokens: readonly string[]) => {
      if (choices === 1 && body.logprobs !== true) return json;
      const options = { n: choices, logprobs: body.logprobs === true, topLogprobs: body.top_logprobs ?? 0, tokens };
      const out = withChoicesAndLogprobs(json, options, entry.prompt_tokens, entry.completion_tokens, cache);
      entry.completion_tokens *= choices;
      return out;
    };

    const directed = directedCalls(body);
    if (directed.length > 0) {
      const toolCalls = directed.map((call, i) => ({ id: `call_${entry.id.slice(4)}_${i}`, name: call.name, arguments: call.arguments }));
      entry.completion_tokens = directed.reduce((sum, call) => sum + countTokens(call.name) + countTokens(call.arguments), 0);
      const output = { toolCalls };
      if (stream) {
        exchange.sendStream(openAiChatStream(meta, output, 'tool_calls', includeUsage, entry.prompt_tokens, entry.completion_tokens, cache));
      } else {
        exchange.sendJson(openAiChatCompletion(meta, output, 'tool_calls', entry.prompt_tokens, entry.completion_tokens, cache));
      }
      return;
    }

    const toolName = requestedTool(body);
    if (toolName !== undefined) {
      const toolCall = { id: `call_${entry.id.slice(4)}`, name: toolName, arguments: TOOL_ARGUMENTS };
      entry.completion_tokens = countTokens(toolName) + countTokens(TOOL_ARGUMENTS);
      const output = { toolCall };
      if (stream) {
        exchange.sendStream(
          openAiChatStream(meta, output, 'tool_calls', includeUsage, entry.prompt_tokens, entry.completion_tokens, cache),
        );
      } else {
        exchange.sendJson(
          shaped(openAiChatCompletion(meta, output, 'tool_calls', entry.prompt_tokens, entry.completion_tokens, cache), []),
        );
      }
      return;
    }

    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    const completion = truncateToTokens(replyTextOf(state, exchange, body), maxTokens);
    const finishReason = completion.truncated ? 'length' : 'stop';
    entry.completion_tokens = completion.tokens.length;
    if (stream) {
      exchange.sendStream(
        openAiChatStream(
          meta,
          { tokens: completion.tokens },
          finishReason,
          includeUsage,
          entry.prompt_tokens,
          entry.completion_tokens,
          cache,
        ),
      );
    } else {
      exchange.sendJson(
        shaped(openAiChatCompletion(meta, { text: completion.text }, finishReason, entry.prompt_tokens, entry.completion_tokens, cache), completion.tokens),
      );
    }
  };
}
