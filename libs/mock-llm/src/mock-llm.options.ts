import { z } from 'zod';

const delayMs = z.int().min(0).max(600_000);

/** Built-in model ids listed by `GET /v1/models`; any model name is accepted on the other endpoints. */
export const DEFAULT_MOCK_MODELS: readonly string[] = [
  'gpt-4o-mini',
  'gpt-4o',
  'text-embedding-3-small',
  'text-embedding-3-large',
  'claude-sonnet-4-6',
  'claude-haiku-4-5',
  'mock-model',
];

/** Server-wide defaults. Per-request headers and fault rules override the delays. */
export const mockLlmOptionsSchema = z.strictObject({
  /** Delay before a non-streaming response (and before an injected error status). */
  latencyMs: delayMs.default(0),
  /** Streams: delay between the response head and the first content token. */
  ttftMs: delayMs.default(0),
  /** Streams: delay between consecutive content tokens. */
  tokenDelayMs: delayMs.default(0),
  /** Fixed reply text. Unset: "Mock reply: <first `echoWords` words of the last user message>". */
  reply: z.string().min(1).optional(),
  /** How many words of the last user message the default reply echoes. */
  echoWords: z.int().min(0).max(10_000).default(12),
  /** Entries kept by `GET /_mock/requests` (ring buffer; 0 disables the log). */
  requestLogCapacity: z.int().min(0).max(1_000_000).default(1000),
  /** Embedding size when the request has no `dimensions`. */
  embeddingDimensions: z.int().min(1).max(8192).default(1536),
  /** Ids listed by `GET /v1/models`. */
  models: z
    .array(z.string().min(1))
    .min(1)
    .default(() => [...DEFAULT_MOCK_MODELS]),
});

export type MockLlmOptions = z.output<typeof mockLlmOptionsSchema>;
export type MockLlmOptionsInput = z.input<typeof mockLlmOptionsSchema>;

export function parseMockLlmOptions(input: MockLlmOptionsInput = {}): MockLlmOptions {
  const result = mockLlmOptionsSchema.safeParse(input);
  if (!result.success) throw new Error(`Invalid mock-llm options:\n${z.prettifyError(result.error)}`);
  return result.data;
}

/** Empty strings count as unset, so `MOCK_LLM_REPLY=` in a .env file means "default". */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
const envDelay = z.preprocess(unsetIfEmpty, z.coerce.number().pipe(delayMs).optional());

export const mockLlmEnvSchema = z.object({
  MOCK_LLM_LATENCY_MS: envDelay,
  MOCK_LLM_TTFT_MS: envDelay,
  MOCK_LLM_TOKEN_DELAY_MS: envDelay,
  MOCK_LLM_REPLY: z.preprocess(unsetIfEmpty, z.string().optional()),
  MOCK_LLM_REQUEST_LOG_CAPACITY: z.preprocess(
    unsetIfEmpty,
    z.coerce.number().pipe(z.int().min(0).max(1_000_000)).optional(),
  ),
});

/** Builds validated options from `MOCK_LLM_*` environment variables (unset ones take the defaults). */
export function mockLlmOptionsFromEnv(env: Record<string, string | undefined> = process.env): MockLlmOptions {
  const result = mockLlmEnvSchema.safeParse(env);
  if (!result.success) throw new Error(`Invalid mock-llm environment:\n${z.prettifyError(result.error)}`);
  const vars = result.data;
  return parseMockLlmOptions({
    latencyMs: vars.MOCK_LLM_LATENCY_MS,
    ttftMs: vars.MOCK_LLM_TTFT_MS,
    tokenDelayMs: vars.MOCK_LLM_TOKEN_DELAY_MS,
    reply: vars.MOCK_LLM_REPLY,
    requestLogCapacity: vars.MOCK_LLM_REQUEST_LOG_CAPACITY,
  });
}
