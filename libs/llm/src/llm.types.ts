/**
 * The provider-neutral chat contract. Business code speaks only these types; the Anthropic and
 * OpenAI SDKs stay behind `LlmProvider` implementations.
 */

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** An image of a user message: an `http(s)` URL or a base64 `data:` URL (checked by the gateway). */
export interface ChatImage {
  url: string;
  /** OpenAI `detail`; other wires ignore it. */
  detail?: 'auto' | 'low' | 'high';
}

export interface ChatMessage {
  role: ChatRole;
  /** The message's text: what guards, the cache key and persistence see. */
  content: string;
  /** User messages: images sent with the text (after it, in order), for providers that take them. */
  images?: ChatImage[];
  name?: string;
  /** Assistant messages that called tools. */
  tool_calls?: ToolCall[];
  /** Tool result messages answer this call id. */
  tool_call_id?: string;
}

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

/** What shape the answer must take: plain text, any JSON object, or JSON following a schema. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } };

export interface ChatRequest {
  /** The concrete upstream model id (after routing). */
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  response_format?: ResponseFormat;
  /** End-user id forwarded to providers that accept one. */
  user?: string;
  /**
   * OpenAI Chat Completions parameters carried as is to wires that support them; a provider that
   * cannot carry one names it in {@link LlmProvider.unsupportedParameter} and is not called.
   */
  seed?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  parallel_tool_calls?: boolean;
  presence_penalty?: number;
  frequency_penalty?: number;
  logit_bias?: Record<string, number>;
  /** Choices to generate (default 1). */
  n?: number;
  metadata?: Record<string, string>;
  reasoning_effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
}

/**
 * Token counts normalised across wires: `input_tokens` is every prompt token (cached or not, as
 * OpenAI counts them; for Anthropic, `input_tokens + cache_read + cache_creation`), and
 * `cached_tokens` is the part of it read from the provider's prompt cache; `cache_write_tokens`
 * the part written to it (Anthropic `cache_creation_input_tokens`, billed above the input rate;
 * absent when none or when the wire has no such charge).
 */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cache_write_tokens?: number;
}

/**
 * Providers answer the first six. The chat orchestrator's tool loop (issue 22) ends a run with its
 * own: `tool_step_limit`, `tool_cost_limit` (the tenant's `tools` policy limits) and
 * `requires_confirmation` (paused on a dangerous tool call); see docs/tools.md.
 */
export type FinishReason =
  | 'stop'
  | 'length'
  | 'tool_calls'
  | 'content_filter'
  | 'cancelled'
  | 'error'
  | 'tool_step_limit'
  | 'tool_cost_limit'
  | 'requires_confirmation';

/** One further choice of an `n > 1` completion. */
export interface ChatChoice {
  content: string;
  tool_calls?: ToolCall[];
  finish_reason: FinishReason;
  /** The wire's logprobs object of this choice (OpenAI shape), when asked. */
  logprobs?: unknown;
}

export interface ChatCompletion {
  content: string;
  tool_calls?: ToolCall[];
  finish_reason: FinishReason;
  /** Usage of the whole call (every choice). */
  usage: TokenUsage;
  /** The first choice's logprobs (OpenAI shape: `{content: [...], refusal}`), when the request asked for them. */
  logprobs?: unknown;
  /** Choices 2..n (`n > 1`), in index order; the first choice is the fields above. */
  more_choices?: ChatChoice[];
  /** Provider's own response id, for support tickets. */
  upstream_id?: string;
  /** The model id the upstream says answered (may be a dated snapshot of the requested one). */
  model?: string;
}

/** What a streaming call yields, normalised across wires. */
export type ChatStreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; index: number; id?: string; name?: string; arguments_delta: string }
  | { type: 'done'; finish_reason: FinishReason; usage: TokenUsage; upstream_id?: string; model?: string };

export interface CallOptions {
  /** Aborts the upstream HTTP request (client went away, job cancelled, deadline). */
  signal?: AbortSignal;
  /** Per-attempt timeout in ms: the whole call for `complete`, up to the first content event for `stream`. */
  timeoutMs?: number;
  /** Streams: longest wait for the next upstream event once content flows (default: `timeoutMs`). */
  idleTimeoutMs?: number;
  /** Extra HTTP headers for this call (e.g. `anthropic-beta`). */
  headers?: Record<string, string>;
}

export interface LlmProvider {
  /** Stable id used in routes, breakers, metrics and stored messages: `anthropic`, `openai`, or a configured name. */
  readonly name: string;
  /** `gen_ai.system` value for spans (e.g. `anthropic`, `openai`). */
  readonly system: string;
  /**
   * The first request field this provider cannot carry (e.g. `seed`, `metadata.team`), or
   * undefined when it can carry the whole request. Absent: it carries everything. Checked by the
   * gateway before a target is tried (see `runTargetChain`).
   */
  unsupportedParameter?(request: Omit<ChatRequest, 'model'>): string | undefined;
  complete(request: ChatRequest, options: CallOptions): Promise<ChatCompletion>;
  stream(request: ChatRequest, options: CallOptions): AsyncIterable<ChatStreamEvent>;
}
