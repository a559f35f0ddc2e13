import { z } from 'zod';
import { ConfigValidationError } from '@conduit/config';
import { DEFAULT_PROVIDERS, DEFAULT_ROUTE_ALIAS, DEFAULT_ROUTES } from './llm-config.defaults';

const providerName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, ".", "_" or "-" (no "/")');

const positiveMs = z.int().min(1).max(3_600_000);

export const providerConfigSchema = z.strictObject({
  name: providerName,
  kind: z.enum(['anthropic', 'openai']),
  /** Anthropic: default https://api.anthropic.com. OpenAI-compatible: include `/v1`. */
  baseURL: z.url().optional(),
  apiKey: z.string().min(1).optional(),
  /** Environment variable holding the key (resolved by `llmConfigFromEnv`), so files carry no secrets. */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
  /** Local servers (Ollama, llama.cpp) need no key: set false to use the provider without one. */
  requireApiKey: z.boolean().default(true),
  /** Per-attempt timeout: the whole call, or up to the first token of a stream. */
  timeoutMs: positiveMs.default(60_000),
  /** Longest silence between stream events once tokens flow (default: `timeoutMs`). */
  streamIdleTimeoutMs: positiveMs.optional(),
  /** Retries per target after the first try (retryable errors only). */
  maxRetries: z.int().min(0).max(10).default(2),
  /** Model globs (`*`, `?`) this provider serves, for requests naming a model no route lists. */
  models: z.array(z.string().min(1)).default([]),
  headers: z.record(z.string(), z.string()).optional(),
  /** OpenAI-compatible only; default `max_completion_tokens` for api.openai.com, else `max_tokens`. */
  maxTokensParam: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /** Anthropic only: `max_tokens` when the request has none (the Messages API requires it). */
  defaultMaxTokens: z.int().min(1).default(4096),
  /** `gen_ai.system` on spans (default: `anthropic`, or `openai` for every OpenAI-compatible server). */
  system: z.string().min(1).optional(),
});

export const routeTargetSchema = z.strictObject({
  provider: providerName,
  model: z.string().min(1),
  /** Overrides the provider's for this target. */
  timeoutMs: positiveMs.optional(),
  maxRetries: z.int().min(0).max(10).optional(),
});

/** Prices were once configured here; say where they live now instead of "unrecognized key". */
const pricesMoved = z
  .never({ error: 'prices are not part of the LLM configuration: they are the billing price list (table model_prices; `npm run admin -- set-price`)' })
  .optional();

export const retryConfigSchema = z.strictObject({
  baseDelayMs: z.int().min(0).max(60_000).default(250),
  maxDelayMs: z.int().min(0).max(300_000).default(4_000),
  maxRetryAfterMs: z.int().min(0).max(300_000).default(20_000),
});

export const breakerConfigSchema = z.strictObject({
  windowMs: positiveMs.default(60_000),
  buckets: z.int().min(1).max(600).default(12),
  failureThreshold: z.number().gt(0).max(1).default(0.5),
  minRequests: z.int().min(1).default(5),
  openMs: positiveMs.default(30_000),
});

/** The configuration's shape, without the cross-field checks of {@link llmConfigSchema}. */
export const llmConfigShapeSchema = z.strictObject({
    providers: z.array(providerConfigSchema).default(() => DEFAULT_PROVIDERS.map((p) => providerConfigSchema.parse(p))),
    /** Alias → ordered fallback chain. Omitted: the built-in `default` route (targets of missing providers dropped). */
    routes: z.record(z.string().min(1), z.array(routeTargetSchema).min(1)).optional(),
    /** Alias used when a request names no model. */
    defaultRoute: z.string().min(1).default(DEFAULT_ROUTE_ALIAS),
    pricing: pricesMoved,
    builtinPricing: pricesMoved,
    retry: retryConfigSchema.prefault({}),
    breaker: breakerConfigSchema.prefault({}),
});

export const llmConfigSchema = llmConfigShapeSchema.superRefine((config, ctx) => {
    const names = new Set<string>();
    config.providers.forEach((provider, index) => {
      if (names.has(provider.name)) {
        ctx.addIssue({ code: 'custom', path: ['providers', index, 'name'], message: `duplicate provider name "${provider.name}"` });
      }
      names.add(provider.name);
    });
    for (const [alias, targets] of Object.entries(config.routes ?? {})) {
      targets.forEach((target, index) => {
        if (!names.has(target.provider)) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', alias, index, 'provider'],
            message: `unknown provider "${target.provider}" (configured: ${[...names].join(', ') || 'none'})`,
          });
        }
      });
    }
  });

export type LlmConfigInput = z.input<typeof llmConfigSchema>;
export type ProviderConfig = z.output<typeof providerConfigSchema>;
export type RouteTargetConfig = z.output<typeof routeTargetSchema>;
export type RetryConfig = z.output<typeof retryConfigSchema>;
export type BreakerConfig = z.output<typeof breakerConfigSchema>;

/** A validated configuration with routes resolved against the built-ins. */
export interface LlmConfig {
  providers: ProviderConfig[];
  routes: Record<string, RouteTargetConfig[]>;
  defaultRoute: string;
  retry: RetryConfig;
  breaker: BreakerConfig;
}

/** Issues as `path: message` lines, e.g. `routes.default[1].provider: unknown provider "x"`. */
export function describeIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    let path = '';
    for (const key of issue.path) path += typeof key === 'number' ? `[${key}]` : path === '' ? String(key) : `.${String(key)}`;
    const where = `${prefix}${path}`;
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
}

/** Validates a configuration (throws {@link ConfigValidationError} naming each bad field). */
export function parseLlmConfig(input: LlmConfigInput | LlmConfig = {}, prefix = ''): LlmConfig {
  const result = llmConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigValidationError(describeIssues(result.error, prefix));
  const config = result.data;
  const providerNames = new Set(config.providers.map((p) => p.name));
  let routes = config.routes;
  if (routes === undefined) {
    routes = {};
    for (const [alias, targets] of Object.entries(DEFAULT_ROUTES)) {
      const usable = targets.filter((t) => providerNames.has(t.provider));
      if (usable.length > 0) routes[alias] = usable.map((t) => routeTargetSchema.parse(t));
    }
  }
  return {
    providers: config.providers,
    routes,
    defaultRoute: config.defaultRoute,
    retry: config.retry,
    breaker: config.breaker,
  };
}
