import type Anthropic from '@anthropic-ai/sdk';
import { LlmError } from '../errors/llm.exception';
import type { ChatCompletion, ChatImage, ChatMessage, ChatRequest, FinishReason, TokenUsage, ToolCall, ToolChoice } from '../llm.types';
import type { CallContext } from './provider-call';
import { anthropicMinCacheableTokens, EPHEMERAL_CACHE, estimatePromptTokens } from './prompt-cache';
import { STRUCTURED_OUTPUT_TOOL, structuredOutputOf } from './anthropic-structured-output';

type Block = Anthropic.ContentBlockParam;
type Params = Omit<Anthropic.MessageCreateParamsNonStreaming, 'stream'>;

export interface AnthropicMappingOptions {
  /** The Messages API requires `max_tokens`; used when the request has none. */
  defaultMaxTokens: number;
  /** Adds `cache_control` breakpoints on long stable prefixes (default true; see prompt-cache.ts). */
  promptCaching?: boolean;
}

function parseArguments(call: ToolCall, context: CallContext): unknown {
  if (call.function.arguments.trim() === '') return {};
  try {
    return JSON.parse(call.function.arguments);
  } catch (error) {
    throw new LlmError({
      kind: 'invalid_request',
      code: 'invalid_tool_arguments',
      provider: context.provider,
      model: context.model,
      message: `tool call ${call.id} (${call.function.name}): arguments are not valid JSON`,
      cause: error,
    });
  }
}

function blocksOf(message: ChatMessage, context: CallContext): Block[] {
  switch (message.role) {
    case 'tool':
      return [{ type: 'tool_result', tool_use_id: message.tool_call_id ?? '', content: message.content }];
    case 'assistant': {
      const blocks: Block[] = message.content === '' && message.tool_calls?.length ? [] : [{ type: 'text', text: message.content }];
      for (const call of message.tool_calls ?? []) {
        blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call, context) });
      }
      return blocks;
    }
    default:
      if (message.role === 'user' && message.images?.length) {
        // Images first, then the text: the order Anthropic recommends for questions about images.
        return [...message.images.map((image) => imageBlock(image, context)), ...(message.content !== '' ? [{ type: 'text' as const, text: message.content }] : [])];
      }
      return [{ type: 'text', text: message.content }];
  }
}

/** The image types the Messages API takes inline. */
const ANTHROPIC_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,/i;

/** A base64 `data:` URL as an inline image; any other URL as a URL source (Anthropic fetches it). */
function imageBlock(image: ChatImage, context: CallContext): Anthropic.ImageBlockParam {
  const match = DATA_URL.exec(image.url);
  if (match === null) return { type: 'image', source: { type: 'url', url: image.url } };
  const mediaType = match[1].toLowerCase();
  if (!ANTHROPIC_IMAGE_TYPES.has(mediaType)) {
    throw new LlmError({
      kind: 'invalid_request',
      code: 'invalid_image',
      provider: context.provider,
      model: context.model,
      message: `image type ${mediaType} is not supported (jpeg, png, gif or webp)`,
    });
  }
  return {
    type: 'image',
    source: { type: 'base64', media_type: mediaType as Anthropic.Base64ImageSource['media_type'], data: image.url.slice(match[0].length) },
  };
}

/** `reasoning_effort` values the Messages API's `output_config.effort` has. */
const ANTHROPIC_EFFORTS = new Set(['low', 'medium', 'high', 'xhigh']);

/**
 * The first request field the Messages API cannot carry, or undefined. Carried: `parallel_tool_calls`
 * (`false` → `disable_parallel_tool_use`), `reasoning_effort` low…xhigh (`output_config.effort`),
 * `metadata.user_id` (`metadata.user_id`), `n: 1`, `logprobs: false`. Not: `seed`, `logprobs`,
 * `top_logprobs`, `presence_penalty`, `frequency_penalty`, `logit_bias`, `n > 1`, other `metadata`
 * keys, `reasoning_effort` none/minimal.
 */
export function anthropicUnsupportedParameter(request: Omit<ChatRequest, 'model'>): string | undefined {
  if (request.seed !== undefined) return 'seed';
  if (request.logprobs === true) return 'logprobs';
  if (request.top_logprobs !== undefined) return 'top_logprobs';
  if (request.presence_penalty !== undefined) return 'presence_penalty';
  if (request.frequency_penalty !== undefined) return 'frequency_penalty';
  if (request.logit_bias !== undefined) return 'logit_bias';
  if (request.n !== undefined && request.n > 1) return 'n';
  const otherKey = Object.keys(request.metadata ?? {}).find((key) => key !== 'user_id');
  if (otherKey !== undefined) return `metadata.${otherKey}`;
  if (request.reasoning_effort !== undefined && !ANTHROPIC_EFFORTS.has(request.reasoning_effort)) return 'reasoning_effort';
  return undefined;
}

/** The OpenAI parameters the Messages API carries (see {@link anthropicUnsupportedParameter}), added to its body. */
function withCarriedParameters(params: Params, request: ChatRequest): Params {
  const out: Params = { ...params };
  const userId = request.metadata?.user_id;
  if (userId !== undefined) out.metadata = { user_id: userId };
  if (request.reasoning_effort !== undefined && ANTHROPIC_EFFORTS.has(request.reasoning_effort)) {
    out.output_config = { ...out.output_config, effort: request.reasoning_effort as NonNullable<Anthropic.OutputConfig['effort']> };
  }
  if (request.parallel_tool_calls === false && out.tools?.length && out.tool_choice?.type !== 'none') {
    out.tool_choice = { ...(out.tool_choice ?? { type: 'auto' }), disable_parallel_tool_use: true } as Anthropic.ToolChoice;
  }
  return out;
}

/**
 * System messages become the top-level `system` prompt; tool results become `tool_result` blocks of
 * a user turn; consecutive turns of one role are merged (tool results must share the user turn that
 * follows the tool calls).
 */
function toMessages(messages: ChatMessage[], context: CallContext): { system?: string; messages: Anthropic.MessageParam[] } {
  const system: string[] = [];
  const turns: { role: 'user' | 'assistant'; content: Block[] }[] = [];
  for (const message of messages) {
    if (message.role === 'system') {
      system.push(message.content);
      continue;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(message, context);
    const last = turns[turns.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  }
  return {
    ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
    messages: turns.map(({ role, content }) => {
      const [only] = content;
      return content.length === 1 && only.type === 'text' ? { role, content: only.text } : { role, content };
    }),
  };
}

function toToolChoice(choice: ToolChoice): Anthropic.ToolChoice {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.function.name };
}

function blockText(block: Block): string {
  if (block.type === 'text') return block.text;
  if (block.type === 'tool_result') return typeof block.content === 'string' ? block.content : JSON.stringify(block.content ?? '');
  return JSON.stringify(block);
}

function turnText(turn: Anthropic.MessageParam): string {
  return typeof turn.content === 'string' ? turn.content : turn.content.map(blockText).join('\n');
}

/**
 * Cache breakpoints on the stable prefix, in prompt order (tools → system → messages), each only
 * when the prefix up to it reaches the model's minimum cacheable length:
 * 1. the last tool definition;
 * 2. the system prompt (system messages, a rendered template, grounding put in the system turn);
 * 3. a long leading user turn (≥ the minimum on its own, e.g. a pasted document) that later turns
 *    follow, so it is history that repeats on every next call;
 * 4. the last block of a multi-turn conversation (history present), so the next turn reads the
 *    whole conversation so far from the cache (Anthropic looks back from a breakpoint for the
 *    longest cached prefix) and only the new turns are written.
 * At most four, Anthropic's limit.
 */
function withCacheBreakpoints(params: Params): Params {
  const min = anthropicMinCacheableTokens(params.model);
  let prefix = 0;
  const out: Params = { ...params, messages: [...params.messages] };
  if (params.tools?.length) {
    prefix += estimatePromptTokens(JSON.stringify(params.tools));
    if (prefix >= min) {
      const tools = [...params.tools];
      tools[tools.length - 1] = { ...tools[tools.length - 1], cache_control: EPHEMERAL_CACHE } as Anthropic.ToolUnion;
      out.tools = tools;
    }
  }
  if (typeof params.system === 'string') {
    prefix += estimatePromptTokens(params.system);
    if (prefix >= min) out.system = [{ type: 'text', text: params.system, cache_control: EPHEMERAL_CACHE }];
  }
  const [first] = params.messages;
  if (first !== undefined && first.role === 'user' && params.messages.length > 1) {
    const firstTokens = estimatePromptTokens(turnText(first));
    if (firstTokens >= min) {
      out.messages[0] = markLastBlock(first);
    }
  }
  const lastIndex = params.messages.length - 1;
  if (lastIndex >= 2) {
    for (const turn of params.messages) prefix += estimatePromptTokens(turnText(turn));
    if (prefix >= min) out.messages[lastIndex] = markLastBlock(out.messages[lastIndex]);
  }
  return out;
}

/** The turn with `cache_control` on its last block (when that block can carry one). */
function markLastBlock(turn: Anthropic.MessageParam): Anthropic.MessageParam {
  const blocks: Block[] = typeof turn.content === 'string' ? [{ type: 'text', text: turn.content }] : [...turn.content];
  const last = blocks[blocks.length - 1];
  if (last === undefined || (last.type !== 'text' && last.type !== 'tool_result' && last.type !== 'tool_use')) return turn;
  blocks[blocks.length - 1] = { ...last, cache_control: EPHEMERAL_CACHE };
  return { role: turn.role, content: blocks } as Anthropic.MessageParam;
}

/**
 * Request body for the Messages API. `temperature`/`top_p` are not sent: the SDK's API version
 * (2026-10-21) has no sampling parameters. A JSON `response_format` (`json_object`,
 * `json_schema`) becomes a forced answer tool (see anthropic-structured-output.ts); `text` sends
 * nothing.
 */
export function toAnthropicParams(request: ChatRequest, options: AnthropicMappingOptions, context: CallContext): Params {
  const { system, messages } = toMessages(request.messages, context);
  const structured = structuredOutputOf(request, context);
  const params: Params = {
    model: request.model,
    max_tokens: request.max_tokens ?? options.defaultMaxTokens,
    messages,
    ...(system !== undefined ? { system } : {}),
    ...(request.stop?.length ? { stop_sequences: request.stop } : {}),
    ...(request.tools?.length
      ? {
          tools: request.tools.map((tool) => ({
            name: tool.function.name,
            ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
            input_schema: { type: 'object' as const, ...(tool.function.parameters ?? {}) },
          })),
        }
      : {}),
    ...(request.tool_choice !== undefined && request.tools?.length ? { tool_choice: toToolChoice(request.tool_choice) } : {}),
    ...(structured !== undefined ? { tools: [structured.tool], tool_choice: structured.tool_choice } : {}),
    ...(request.user !== undefined ? { metadata: { user_id: request.user } } : {}),
  };
  const carried = withCarriedParameters(params, request);
  return options.promptCaching === false ? carried : withCacheBreakpoints(carried);
}

export function fromAnthropicStopReason(reason: Anthropic.StopReason | null): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export interface AnthropicUsageCounts {
  input_tokens: number | null;
  output_tokens: number;
  cache_read_input_tokens: number | null;
  cache_creation_input_tokens: number | null;
}

/**
 * Anthropic's `input_tokens` excludes cache reads and writes; ours counts every prompt token, with
 * reads in `cached_tokens` and writes (`cache_creation_input_tokens`) in `cache_write_tokens`.
 */
export function fromAnthropicUsage(usage: AnthropicUsageCounts): TokenUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return {
    input_tokens: (usage.input_tokens ?? 0) + cacheRead + cacheWrite,
    output_tokens: usage.output_tokens,
    cached_tokens: cacheRead,
    ...(cacheWrite > 0 ? { cache_write_tokens: cacheWrite } : {}),
  };
}

/**
 * The completion of a message. With `structuredOutput` (the request asked for JSON), the forced
 * answer tool's input is the answer: its JSON is the content (any text the model wrote around it
 * is dropped) and a `tool_use` stop is `stop`. A message without that tool call keeps its text,
 * which the caller may then find is not the JSON it asked for.
 */
export function fromAnthropicMessage(message: Anthropic.Message, options: { structuredOutput?: boolean } = {}): ChatCompletion {
  let content = '';
  let answer: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') content += block.text;
    else if (block.type === 'tool_use') {
      if (options.structuredOutput === true && block.name === STRUCTURED_OUTPUT_TOOL) answer = JSON.stringify(block.input ?? {});
      else toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const finish = fromAnthropicStopReason(message.stop_reason);
  return {
    content: answer ?? content,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    finish_reason: answer !== undefined && finish === 'tool_calls' ? 'stop' : finish,
    usage: fromAnthropicUsage(message.usage),
    upstream_id: message.id,
    model: message.model,
  };
}
