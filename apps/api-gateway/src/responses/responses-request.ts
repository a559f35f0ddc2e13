import { z } from 'zod';
import { ChatCompletionRequest, chatCompletionRequestSchema, conduitExtensionSchema, MAX_MESSAGES, modelNameSchema } from '@conduit/contracts';
import { ZodPipe } from '@conduit/runtime';
import { ResponsesException } from './responses.exception';

/*
 * `POST /v1/responses` as a chat request: the Responses API is a translation in front of the one
 * chat pipeline (guards, cache, templates, budgets, persistence, usage), never a second copy of it.
 * What it cannot translate is refused with 400 `unsupported_parameter` naming the field.
 */

/** The Responses fields Conduit carries. */
const SUPPORTED = new Set([
  'model',
  'input',
  'instructions',
  'temperature',
  'top_p',
  'max_output_tokens',
  'tools',
  'tool_choice',
  'store',
  'stream',
  'metadata',
  'previous_response_id',
  'user',
  'text',
  'conduit',
]);

/** Fields accepted only with the value that asks for what Conduit does anyway (any field may also be null). */
const ONLY_DEFAULT: Record<string, { accepts: (value: unknown) => boolean; why: string }> = {
  background: { accepts: (v) => v === false, why: 'background responses are not supported; omit it or send false' },
  parallel_tool_calls: { accepts: (v) => v === true, why: 'only the default (true) is supported' },
  truncation: { accepts: (v) => v === 'disabled', why: 'only "disabled" is supported: a conversation longer than the history limits keeps its newest messages' },
  include: { accepts: (v) => Array.isArray(v) && v.length === 0, why: 'additional output data (reasoning, logprobs, tool results) is not supported' },
  service_tier: { accepts: (v) => v === 'auto' || v === 'default', why: 'only "auto" and "default" are supported' },
  stream_options: {
    accepts: (v) => isObject(v) && Object.keys(v).every((key) => key === 'include_obfuscation'),
    why: 'only include_obfuscation is accepted (Conduit adds no obfuscation)',
  },
};

const WHY: Record<string, string> = {
  reasoning: 'reasoning settings are not supported',
  conversation: 'conversation objects are not supported; continue with previous_response_id',
  prompt: 'OpenAI-stored prompts are not supported; use conduit.prompt (a Conduit prompt template)',
};

const SUPPORTED_ITEMS = ['message', 'function_call', 'function_call_output'];
const SUPPORTED_PARTS = ['input_text', 'output_text'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Refuses, before the schema, what Conduit does not support: unknown fields and the known ones it
 * cannot carry, input items other than messages and function calls, content parts other than text,
 * built-in tools and tool choices other than functions.
 */
export function assertSupported(raw: unknown): void {
  if (!isObject(raw)) return;
  for (const [field, value] of Object.entries(raw)) {
    if (SUPPORTED.has(field) || value === null) continue;
    const rule = ONLY_DEFAULT[field];
    if (rule?.accepts(value)) continue;
    throw ResponsesException.unsupported(field, rule?.why ?? WHY[field] ?? 'this field is not supported by Conduit');
  }
  if (Array.isArray(raw['input'])) {
    raw['input'].forEach((item, i) => {
      if (!isObject(item)) return;
      const type = item['type'] ?? ('role' in item ? 'message' : undefined);
      if (typeof type === 'string' && !SUPPORTED_ITEMS.includes(type)) {
        throw ResponsesException.unsupported(`input.${i}.type`, `input items of type "${type.slice(0, 64)}" are not supported (${SUPPORTED_ITEMS.join(', ')} are)`);
      }
      if (type !== 'message' || !Array.isArray(item['content'])) return;
      item['content'].forEach((part, j) => {
        const partType = isObject(part) ? part['type'] : undefined;
        if (typeof partType === 'string' && !SUPPORTED_PARTS.includes(partType)) {
          throw ResponsesException.unsupported(`input.${i}.content.${j}.type`, `content parts of type "${partType.slice(0, 64)}" are not supported (${SUPPORTED_PARTS.join(', ')} are)`);
        }
      });
    });
  }
  if (Array.isArray(raw['tools'])) {
    raw['tools'].forEach((tool, i) => {
      const type = isObject(tool) ? tool['type'] : undefined;
      if (typeof type === 'string' && type !== 'function') {
        throw ResponsesException.unsupported(`tools.${i}.type`, `built-in and other tools ("${type.slice(0, 64)}") are not supported; only function tools are`);
      }
    });
  }
  const choice = raw['tool_choice'];
  if (isObject(choice) && choice['type'] !== 'function') {
    throw ResponsesException.unsupported('tool_choice', 'only "auto", "none", "required" and {type: "function", name} are supported');
  }
  const text = raw['text'];
  if (isObject(text)) {
    const format = text['format'];
    const type = isObject(format) ? format['type'] : undefined;
    if (typeof type === 'string' && !['text', 'json_object', 'json_schema'].includes(type)) {
      throw ResponsesException.unsupported('text.format.type', 'only text, json_object and json_schema are supported');
    }
    if (text['verbosity'] != null) throw ResponsesException.unsupported('text.verbosity', 'verbosity is not supported');
  }
}

const status = z.enum(['in_progress', 'completed', 'incomplete']).nullish();
const textPart = z.strictObject({
  type: z.enum(['input_text', 'output_text']),
  text: z.string(),
  // Echoed back from an earlier response's output.
  annotations: z.array(z.unknown()).optional(),
  logprobs: z.array(z.unknown()).optional(),
});

const messageItem = z.strictObject({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(textPart).min(1)], { error: 'content must be a string or an array of input_text parts' }),
  id: z.string().max(128).nullish(),
  status,
});
const functionCallItem = z.strictObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1).max(128),
  name: z.string().min(1).max(128),
  arguments: z.string(),
  id: z.string().max(128).nullish(),
  status,
});
const functionCallOutputItem = z.strictObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1).max(128),
  output: z.union([z.string(), z.array(z.strictObject({ type: z.literal('input_text'), text: z.string() })).min(1)]),
  id: z.string().max(128).nullish(),
  status,
});

/** An item without a type is a message (`{role, content}`, the "easy input message"). */
const inputItem = z.preprocess(
  (item) => (isObject(item) && item['type'] === undefined && 'role' in item ? { ...item, type: 'message' } : item),
  z.discriminatedUnion('type', [messageItem, functionCallItem, functionCallOutputItem], {
    error: (issue) => (issue.code === 'invalid_union' ? `input items are ${SUPPORTED_ITEMS.join(', ')}` : undefined),
  }),
);

const functionTool = z.strictObject({
  type: z.literal('function'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names are 1-64 letters, digits, "_" or "-"'),
  description: z.string().max(4096).nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const textFormat = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'text.format.name is 1-64 letters, digits, "_" or "-"'),
    description: z.string().max(4096).optional(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
  }),
]);

const metadata = z
  .record(z.string().max(64), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 16, 'metadata has at most 16 keys');

/** The Responses request Conduit accepts (after {@link assertSupported}). */
export const responsesRequestSchema = z.object({
  model: modelNameSchema,
  input: z.union([z.string().min(1, 'input must not be empty'), z.array(inputItem).min(1, 'input must contain at least one item').max(MAX_MESSAGES)]),
  instructions: z.string().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  tools: z.array(functionTool).max(128).nullish(),
  tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.strictObject({ type: z.literal('function'), name: z.string().min(1).max(128) })]).nullish(),
  store: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  metadata: metadata.nullish(),
  previous_response_id: z.string().min(1).max(64).nullish(),
  user: z.string().max(256).nullish(),
  text: z.strictObject({ format: textFormat.optional(), verbosity: z.null().optional() }).nullish(),
  conduit: conduitExtensionSchema.optional(),
});
export type ResponsesRequest = z.output<typeof responsesRequestSchema>;

const requestPipe = new ZodPipe(responsesRequestSchema);
const chatPipe = new ZodPipe(chatCompletionRequestSchema);

/** Validates a `POST /v1/responses` body: unsupported fields first (`unsupported_parameter`), then the schema. */
export function parseResponsesRequest(raw: unknown): ResponsesRequest {
  assertSupported(raw);
  return requestPipe.transform(raw);
}

export interface ToolCallInput {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

type ChatMessage = Record<string, unknown> & { role: string };

const textOfParts = (content: string | readonly { text: string }[]): string => (typeof content === 'string' ? content : content.map((part) => part.text).join(''));

/**
 * The chat messages of a Responses request: `instructions` as the system message, then the input
 * items in order (messages; consecutive `function_call` items as one assistant message with tool
 * calls; `function_call_output` items as tool messages). A function call answered here that the
 * input does not repeat is taken from the previous response (`previousToolCalls`), so the provider
 * sees the call before its output.
 */
function chatMessagesOf(body: ResponsesRequest, previousToolCalls: readonly ToolCallInput[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (body.instructions) messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') {
    messages.push({ role: 'user', content: body.input });
    return messages;
  }
  const items = body.input;
  const echoed = new Set(items.flatMap((item) => (item.type === 'function_call' ? [item.call_id] : [])));
  const answered = new Set(items.flatMap((item) => (item.type === 'function_call_output' ? [item.call_id] : [])));
  const fromPrevious = previousToolCalls.filter((call) => !echoed.has(call.id) && answered.has(call.id));
  let previousAdded = fromPrevious.length === 0;
  for (const item of items) {
    switch (item.type) {
      case 'message':
        messages.push({ role: item.role, content: textOfParts(item.content) });
        break;
      case 'function_call': {
        const call: ToolCallInput = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
        const last = messages[messages.length - 1];
        if (last?.role === 'assistant' && Array.isArray(last['tool_calls'])) (last['tool_calls'] as ToolCallInput[]).push(call);
        else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
        break;
      }
      case 'function_call_output':
        if (!previousAdded) {
          messages.push({ role: 'assistant', content: null, tool_calls: fromPrevious });
          previousAdded = true;
        }
        messages.push({ role: 'tool', tool_call_id: item.call_id, content: textOfParts(item.output) });
        break;
    }
  }
  return messages;
}

function responseFormatOf(text: ResponsesRequest['text']): Record<string, unknown> | undefined {
  const format = text?.format;
  if (!format) return undefined;
  if (format.type !== 'json_schema') return { type: format.type };
  const { name, description, schema, strict } = format;
  return { type: 'json_schema', json_schema: { name, schema, ...(description !== undefined ? { description } : {}), ...(strict != null ? { strict } : {}) } };
}

/**
 * The chat request a Responses request is run as, validated by the chat schema (so the pipeline
 * gets exactly what `POST /v1/chat/completions` would give it). Streams always ask for usage: the
 * final `response.completed` event carries it.
 */
export function toChatRequest(body: ResponsesRequest, previousToolCalls: readonly ToolCallInput[] = []): ChatCompletionRequest {
  const conduitMetadata = body.metadata ? { ...body.conduit?.metadata, ...body.metadata } : body.conduit?.metadata;
  const conduit = { ...body.conduit, ...(conduitMetadata ? { metadata: conduitMetadata } : {}) };
  const responseFormat = responseFormatOf(body.text);
  const chat = {
    model: body.model,
    messages: chatMessagesOf(body, previousToolCalls),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { top_p: body.top_p } : {}),
    ...(body.max_output_tokens != null ? { max_completion_tokens: body.max_output_tokens } : {}),
    ...(body.tools?.length
      ? {
          tools: body.tools.map((tool) => ({
            type: 'function',
            function: { name: tool.name, ...(tool.description != null ? { description: tool.description } : {}), ...(tool.parameters != null ? { parameters: tool.parameters } : {}) },
          })),
        }
      : {}),
    ...(body.tool_choice != null ? { tool_choice: typeof body.tool_choice === 'string' ? body.tool_choice : { type: 'function', function: { name: body.tool_choice.name } } } : {}),
    ...(responseFormat ? { response_format: responseFormat } : {}),
    ...(body.user != null ? { user: body.user } : {}),
    ...(body.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    ...(Object.keys(conduit).length > 0 ? { conduit } : {}),
  };
  return chatPipe.transform(chat);
}
