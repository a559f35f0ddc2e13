import { z } from 'zod';
import { cacheRequestSchema } from './cache-policy.schema';
import { promptReferenceSchema } from './prompt-reference.schema';

/**
 * The OpenAI Chat Completions request as Conduit accepts it (public API, async chat jobs and
 * the gateway → orchestrator hop all use this one schema). Known fields are checked strictly. The
 * schema itself strips unknown top-level fields; the gateway refuses them first (400
 * `unsupported_parameter`, see {@link unknownChatFields}) unless the tenant's or key's `compat`
 * policy drops them.
 */

const textPart = z.strictObject({ type: z.literal('text'), text: z.string() });
const content = z.union([z.string(), z.array(textPart).min(1)], {
  error: 'content must be a string or an array of {type:"text", text} parts',
});

/** How closely the model looks at an image (OpenAI `detail`; other wires ignore it). */
export const IMAGE_DETAILS = ['auto', 'low', 'high'] as const;
export type ImageDetail = (typeof IMAGE_DETAILS)[number];

/**
 * An image part of a user message: an `http(s)` URL or a base64 `data:` URL. The gateway checks
 * sizes, media types and where URLs point (image-parts in the gateway); here only the shape.
 */
const imagePart = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({
    url: z.string().min(1, 'image_url.url must not be empty'),
    detail: z.enum(IMAGE_DETAILS).optional(),
  }),
});
const userContent = z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart])).min(1)], {
  error: 'user content must be a string or an array of {type:"text", text} and {type:"image_url", image_url:{url, detail?}} parts',
});
type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: ImageDetail } };

const toolCall = z.object({
  id: z.string().min(1).max(128),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1).max(128), arguments: z.string() }),
});

const systemMessage = z.object({ role: z.enum(['system', 'developer']), content, name: z.string().max(64).optional() });
const userMessage = z.object({ role: z.literal('user'), content: userContent, name: z.string().max(64).optional() });
const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: content.nullable().optional(),
  name: z.string().max(64).optional(),
  tool_calls: z.array(toolCall).max(128).optional(),
});
const toolMessage = z.object({ role: z.literal('tool'), content, tool_call_id: z.string().min(1).max(128) });

export const chatMessageSchema = z.discriminatedUnion('role', [systemMessage, userMessage, assistantMessage, toolMessage], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'role must be one of system, developer, user, assistant, tool' : undefined,
});

/** A function tool as the OpenAI wire describes it (chat requests, prompt template versions). */
export const toolDefinitionSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names are 1-64 letters, digits, "_" or "-"'),
    description: z.string().max(4096).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

/**
 * `response_format`: plain text, any JSON object, or JSON that follows a schema. Passed to the
 * provider (OpenAI wire as is; Anthropic as a forced answer tool whose input schema is the JSON
 * schema, see libs/llm) and part of the response cache key. With `conduit.validate_json` the
 * orchestrator checks the answer against it.
 */
export const responseFormatSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('text') }),
    z.strictObject({ type: z.literal('json_object') }),
    z.strictObject({
      type: z.literal('json_schema'),
      json_schema: z.strictObject({
        name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'json_schema.name is 1-64 letters, digits, "_" or "-"'),
        description: z.string().max(4096).optional(),
        schema: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'response_format.type must be one of text, json_object, json_schema' : undefined) },
);
export type ResponseFormat = z.output<typeof responseFormatSchema>;

/** Conduit's own extension, sent as `conduit` in the body (OpenAI clients: `extra_body`). */
export const conduitExtensionSchema = z.strictObject({
  session_id: z.uuid().optional(),
  /** Ground the answer in this document collection (retrieval-augmented generation). */
  collection: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'collection names are 1-64 letters, digits, ".", "_" or "-"').optional(),
  /** Chunks retrieved from the collection (default 5). */
  top_k: z.number().int().min(1).max(50).optional(),
  /** Drop chunks below this cosine similarity. */
  score_threshold: z.number().min(-1).max(1).optional(),
  /** Superseded by `prompt`; refused with `unsupported_extension` naming it. */
  prompt_template: z.string().min(1).max(128).optional(),
  /** A stored prompt template rendered before the request's messages (`{name, label | version, variables}`). */
  prompt: promptReferenceSchema.optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).optional(),
  /** The response cache for this request (`{mode, ttl}`), within the tenant's cache policy. */
  cache: cacheRequestSchema.optional(),
  /**
   * Platform-run tools for this request (issue 22): names of the tenant's registered tools, or
   * `"all"` (every tool the API key may use). Unknown names are 400 `unknown_tool`.
   */
  tools: z
    .union([
      z.literal('all'),
      z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'tool names are 1-64 letters, digits, "_" or "-"')).min(1).max(64),
    ])
    .optional(),
  /**
   * Check the answer against `response_format` (`json_object`: a JSON object; `json_schema`: the
   * schema) before it is sent; one more model call on an invalid answer, then 502
   * `invalid_model_output`. Needs a JSON `response_format`; not with `stream: true`.
   */
  validate_json: z.boolean().optional(),
  /** `false`: no memory for this request (no session summary read or made, no long-term memories recalled or extracted), whatever the tenant's policy. */
  memory: z.boolean().optional(),
});

export const MAX_MESSAGES = 2_048;

/**
 * Model names: 1-256 visible ASCII characters (`!` to `~`: letters, digits and punctuation such as
 * `-._:/@`; no spaces, control characters or non-ASCII). Every real model id fits (`gpt-4o-2024-08-06`,
 * `claude-opus-4-5`, `meta-llama/Llama-3.1-8B-Instruct`, `llama3.1:8b`), and such a name is safe
 * in a URL, a log line and a response header. Anything else is 400 `invalid_model`, before any
 * provider is called.
 */
export const MODEL_NAME = /^[\x21-\x7e]{1,256}$/;

export const modelNameSchema = z.string().superRefine((value, ctx) => {
  if (!MODEL_NAME.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'model must be 1-256 visible ASCII characters (letters, digits and punctuation; no spaces or control characters)',
      params: { code: 'invalid_model' },
    });
  }
});

/** The most choices one request may ask for (`n`). */
export const MAX_CHOICES = 8;

/** OpenAI's `reasoning_effort` values. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;

const chatCompletionFields = z.object({
  model: modelNameSchema,
  messages: z.array(chatMessageSchema).min(1, 'messages must contain at least one message').max(MAX_MESSAGES),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(4)]).nullish(),
  /** Choices to generate: OpenAI wire only, not with `stream` (see docs). */
  n: z.number().int().min(1).max(MAX_CHOICES).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  user: z.string().max(256).nullish(),
  tools: z.array(toolDefinitionSchema).max(128).nullish(),
  tool_choice: toolChoice.nullish(),
  response_format: responseFormatSchema.nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.number().int().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  logit_bias: z
    .record(z.string().regex(/^\d{1,9}$/, 'logit_bias keys are token ids'), z.number().min(-100).max(100))
    .refine((bias) => Object.keys(bias).length <= 300, 'logit_bias holds at most 300 tokens')
    .nullish(),
  metadata: z
    .record(z.string().min(1).max(64), z.string().max(512))
    .refine((metadata) => Object.keys(metadata).length <= 16, 'metadata holds at most 16 keys')
    .nullish(),
  reasoning_effort: z.enum(REASONING_EFFORTS).nullish(),
  conduit: conduitExtensionSchema.optional(),
});

/** Every top-level field the chat request knows; anything else is unknown (see {@link unknownChatFields}). */
export const CHAT_COMPLETION_FIELDS: ReadonlySet<string> = new Set(Object.keys(chatCompletionFields.shape));

const unsupported = { code: 'unsupported_parameter' } as const;

export const chatCompletionRequestSchema = chatCompletionFields.superRefine((body, ctx) => {
  if (body.conduit?.validate_json === true) {
    const format = body.response_format?.type;
    if (format !== 'json_object' && format !== 'json_schema') {
      ctx.addIssue({
        code: 'custom',
        path: ['conduit', 'validate_json'],
        message: 'conduit.validate_json needs response_format {"type": "json_object"} or {"type": "json_schema", ...}',
      });
    } else if (body.stream === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['conduit', 'validate_json'],
        message: 'conduit.validate_json cannot be combined with stream: true (the answer is checked whole before it is sent); send the request without stream',
        params: { code: 'unsupported_parameter' },
      });
    }
  }
  body.messages.forEach((message, index) => {
    if (message.role === 'user' && textOf(message.content).trim() === '' && imagesOf(message.content).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['messages', index, 'content'], message: 'user message content must not be empty' });
    }
  });
  if (body.top_logprobs != null && body.logprobs !== true) {
    ctx.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'top_logprobs requires logprobs: true' });
  }
  if (body.stream === true && (body.n ?? 1) > 1) {
    ctx.addIssue({ code: 'custom', path: ['n'], message: 'n > 1 is not supported with stream: true; ask for one choice or use a plain request', params: unsupported });
  }
  if (body.stream === true && body.logprobs === true) {
    ctx.addIssue({ code: 'custom', path: ['logprobs'], message: 'logprobs is not supported with stream: true; use a plain request', params: unsupported });
  }
});

export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema>;
export type ChatMessageInput = z.output<typeof chatMessageSchema>;

/** Flattens string-or-parts content to text (image parts carry no text). */
export function textOf(value: string | readonly ContentPart[] | null | undefined): string {
  if (value == null) return '';
  return typeof value === 'string' ? value : value.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** The image parts of a message's content, in order (none for string content). */
export function imagesOf(value: string | readonly ContentPart[] | null | undefined): { url: string; detail?: ImageDetail }[] {
  if (value == null || typeof value === 'string') return [];
  return value.flatMap((part) => (part.type === 'image_url' ? [part.image_url] : []));
}

/**
 * Unknown top-level fields of a raw chat request body (before the schema strips them), in the
 * order sent; empty for anything that is not an object.
 */
export function unknownChatFields(raw: unknown): string[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  return Object.keys(raw).filter((key) => !CHAT_COMPLETION_FIELDS.has(key));
}

/**
 * Prompt tokens one image is estimated at for reservations and rate limits, before the provider
 * reports the real count: `low` detail is OpenAI's fixed 85; otherwise 1,600 (about what Anthropic
 * and OpenAI charge for a ~1-megapixel image; larger images are scaled down by the providers).
 */
export const IMAGE_TOKEN_ESTIMATE = { low: 85, default: 1_600 } as const;

export function imageTokenEstimate(detail: ImageDetail | undefined): number {
  return detail === 'low' ? IMAGE_TOKEN_ESTIMATE.low : IMAGE_TOKEN_ESTIMATE.default;
}

/** The effective completion limit: `max_completion_tokens` wins over the older `max_tokens`. */
export function maxTokensOf(body: Pick<ChatCompletionRequest, 'max_tokens' | 'max_completion_tokens'>): number | undefined {
  return body.max_completion_tokens ?? body.max_tokens ?? undefined;
}
