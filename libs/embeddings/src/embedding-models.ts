import { z } from 'zod';
import { ConfigValidationError } from '@conduit/config';
import type { EmbedOptions, Embedder } from './embedder';
import type { EmbeddingsConfig } from './embeddings.config';
import { EmbeddingError } from './embedding.exception';
import { HASHING_MODEL, HashingEmbedder } from './hashing.embedder';
import { KNOWN_EMBEDDING_DIMENSIONS, OpenAiEmbedder } from './openai.embedder';

/** Largest output size any embedder here makes (the hashing embedder's bound). */
export const EMBEDDING_MAX_DIMENSIONS = 16_000;

/** The name a client may always use for the first configured model. */
export const DEFAULT_EMBEDDING_MODEL_ALIAS = 'default';

const modelEntrySchema = z.strictObject({
  /** The name clients ask for (`model` of `POST /v1/embeddings`). */
  name: z.string().regex(/^[\x21-\x7e]{1,128}$/, 'must be 1-128 visible ASCII characters'),
  provider: z.enum(['hashing', 'openai']),
  /** The provider's model id (priced and billed under it). Default: `name` (hashing: `hashing-v2`). */
  model: z.string().min(1).max(128).optional(),
  /** Output size when a request has no `dimensions`. hashing: default 384; openai: the model's native size. */
  dimensions: z.int().min(1).max(EMBEDDING_MAX_DIMENSIONS).optional(),
  /**
   * Whether requests may ask for another size (`dimensions`). Default: hashing yes (any size from
   * 2), OpenAI `text-embedding-3-*` yes (up to the native size), other models no.
   */
  shortenable: z.boolean().optional(),
  /** openai: base URL including `/v1`; default `EMBEDDINGS_BASE_URL` or OpenAI's. */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Inputs per upstream request. Default `EMBEDDINGS_BATCH_SIZE`. */
  batch_size: z.int().min(1).max(2048).optional(),
  /** Cache vectors per tenant in Redis. Default: openai yes, hashing no (hashing is cheaper than a Redis round trip). */
  cache: z.boolean().optional(),
});
export type EmbeddingModelEntry = z.output<typeof modelEntrySchema>;

const modelListSchema = z
  .array(modelEntrySchema)
  .min(1)
  .max(64)
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, i) => {
      if (seen.has(entry.name)) ctx.addIssue({ code: 'custom', message: `model name "${entry.name}" appears twice`, path: [i, 'name'] });
      seen.add(entry.name);
      if (entry.provider === 'hashing' && entry.model !== undefined && entry.model !== HASHING_MODEL) {
        ctx.addIssue({ code: 'custom', message: `a hashing model's model must be ${HASHING_MODEL}`, path: [i, 'model'] });
      }
    });
  });

/** Parses a JSON-valued variable with `schema` (problems name the nested field). */
function jsonVariable<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be JSON (${(error as Error).message})` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** Variables of the embeddings API's model list, to spread into a service's schema next to `embeddingsEnv`. */
export const embeddingModelsEnv = {
  /**
   * JSON list of the models `POST /v1/embeddings` serves, e.g.
   * `[{"name":"text-embedding-3-small","provider":"openai"},{"name":"hashing-v2","provider":"hashing"}]`.
   * Unset: the one embedder configured by `EMBEDDINGS_*` (the hashing embedder by default).
   */
  EMBEDDINGS_MODELS: jsonVariable(modelListSchema).optional(),
};

/** One model the embeddings API serves, resolved from configuration. */
export interface EmbeddingModelSpec {
  /** The name clients ask for. */
  name: string;
  provider: 'hashing' | 'openai';
  /** The provider's model id: what usage events and prices name. */
  model: string;
  /** Output size without `dimensions`. */
  dimensions: number;
  /** Sizes a request may ask for, or null when the model has one size only. */
  dimensionRange: { min: number; max: number } | null;
  /** The size the upstream produces when `dimensions` is not sent (openai); unknown: always sent. */
  nativeDimensions?: number;
  baseURL?: string;
  apiKey?: string;
  batchSize: number;
  cache: boolean;
}

interface ModelDefaults {
  batchSize: number;
  baseURL?: string;
  apiKey?: string;
}

function openAiShortenable(model: string): boolean {
  return model.startsWith('text-embedding-3');
}

function specOf(entry: EmbeddingModelEntry, defaults: ModelDefaults, problems: string[], at: string): EmbeddingModelSpec | undefined {
  const batchSize = entry.batch_size ?? defaults.batchSize;
  if (entry.provider === 'hashing') {
    const dimensions = entry.dimensions ?? 384;
    if (dimensions < 2) problems.push(`${at}.dimensions must be at least 2 for a hashing model`);
    return {
      name: entry.name,
      provider: 'hashing',
      model: HASHING_MODEL,
      dimensions,
      dimensionRange: entry.shortenable === false ? null : { min: 2, max: EMBEDDING_MAX_DIMENSIONS },
      batchSize,
      cache: entry.cache ?? false,
    };
  }
  const model = entry.model ?? entry.name;
  const native = KNOWN_EMBEDDING_DIMENSIONS[model];
  const dimensions = entry.dimensions ?? native;
  if (dimensions === undefined) {
    problems.push(`${at}.dimensions is required for model ${model} (its output size is not known)`);
    return undefined;
  }
  const baseURL = entry.base_url ?? defaults.baseURL;
  const apiKey = defaults.apiKey ?? (baseURL ? 'unused' : undefined);
  if (apiKey === undefined) problems.push(`${at}: EMBEDDINGS_API_KEY (or OPENAI_API_KEY) is required for an openai model without base_url`);
  const shortenable = entry.shortenable ?? openAiShortenable(model);
  return {
    name: entry.name,
    provider: 'openai',
    model,
    dimensions,
    dimensionRange: shortenable ? { min: 1, max: native ?? dimensions } : null,
    // A model of unknown native size with a configured size: that size is what it makes.
    nativeDimensions: native ?? (shortenable ? undefined : dimensions),
    ...(baseURL ? { baseURL } : {}),
    ...(apiKey ? { apiKey } : {}),
    batchSize,
    cache: entry.cache ?? true,
  };
}

/** The one model of the `EMBEDDINGS_*` embedder (what ingestion and retrieval use). */
function specOfEmbedder(config: EmbeddingsConfig): EmbeddingModelSpec {
  if (config.provider === 'hashing') {
    return {
      name: HASHING_MODEL,
      provider: 'hashing',
      model: HASHING_MODEL,
      dimensions: config.dimension,
      dimensionRange: { min: 2, max: EMBEDDING_MAX_DIMENSIONS },
      batchSize: config.batchSize,
      cache: false,
    };
  }
  const native = KNOWN_EMBEDDING_DIMENSIONS[config.model];
  const shortenable = openAiShortenable(config.model) || config.dimensionsConfigured;
  return {
    name: config.model,
    provider: 'openai',
    model: config.model,
    dimensions: config.dimension,
    dimensionRange: shortenable ? { min: 1, max: native ?? config.dimension } : null,
    nativeDimensions: native ?? (config.dimensionsConfigured ? undefined : config.dimension),
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    apiKey: config.apiKey,
    batchSize: config.batchSize,
    cache: config.cacheTtlSeconds > 0,
  };
}

/**
 * The models of the embeddings API: `EMBEDDINGS_MODELS` when set, otherwise the `EMBEDDINGS_*`
 * embedder (the hashing embedder in development). Names the variable at fault.
 */
export function embeddingModelsSettings(
  env: { EMBEDDINGS_MODELS?: EmbeddingModelEntry[]; EMBEDDINGS_BASE_URL?: string; EMBEDDINGS_API_KEY?: string; OPENAI_API_KEY?: string; EMBEDDINGS_BATCH_SIZE?: number },
  embedder: EmbeddingsConfig,
): EmbeddingModelSpec[] {
  if (!env.EMBEDDINGS_MODELS) return [specOfEmbedder(embedder)];
  const defaults: ModelDefaults = {
    batchSize: env.EMBEDDINGS_BATCH_SIZE ?? 64,
    ...(env.EMBEDDINGS_BASE_URL ? { baseURL: env.EMBEDDINGS_BASE_URL } : {}),
    ...((env.EMBEDDINGS_API_KEY ?? env.OPENAI_API_KEY) ? { apiKey: env.EMBEDDINGS_API_KEY ?? env.OPENAI_API_KEY } : {}),
  };
  const problems: string[] = [];
  const specs = env.EMBEDDINGS_MODELS.map((entry, i) => specOf(entry, defaults, problems, `EMBEDDINGS_MODELS.${i}`));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return specs.filter((spec): spec is EmbeddingModelSpec => spec !== undefined);
}

/** An input the model's tokenizer cannot turn back into text (token ids it does not know). */
export class EmbeddingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddingInputError';
  }
}

export interface ModelEmbedOptions extends EmbedOptions {
  /** Output size; default the model's. Must be within its `dimensionRange` (checked by the caller). */
  dimensions?: number;
}

/** Embedders kept (per model and size) before the set is started afresh. */
const MAX_KEPT_EMBEDDERS = 256;

type TokenDecoder = (tokens: number[]) => string;
let cl100kDecoder: Promise<TokenDecoder> | undefined;

/** gpt-tokenizer's cl100k_base decoder, loaded on first use (its vocabulary is large). */
function loadDecoder(): Promise<TokenDecoder> {
  cl100kDecoder ??= import('gpt-tokenizer/cjs/encoding/cl100k_base').then((module) => module.decode);
  return cl100kDecoder;
}

/**
 * The embedding models clients may name, each turned into an {@link Embedder} per requested size
 * (kept, so an OpenAI client is built once per model and size). Text inputs go to the embedder as
 * they are. Token-array inputs go as they are to OpenAI-wire models (their tokenizer's ids); for
 * the hashing embedder they are first decoded as cl100k_base ids (gpt-tokenizer), the tokenizer
 * of OpenAI's embedding models, so the same ids mean the same text on either.
 */
export class EmbeddingModelCatalog {
  private readonly byName = new Map<string, EmbeddingModelSpec>();
  private readonly embedders = new Map<string, Embedder>();

  constructor(
    readonly specs: readonly EmbeddingModelSpec[],
    private readonly deps: { fetch?: typeof fetch } = {},
  ) {
    for (const spec of specs) this.byName.set(spec.name, spec);
    if (specs.length > 0 && !this.byName.has(DEFAULT_EMBEDDING_MODEL_ALIAS)) this.byName.set(DEFAULT_EMBEDDING_MODEL_ALIAS, specs[0]);
  }

  /** The model a name stands for (`default`: the first configured), or undefined. */
  resolve(name: string): EmbeddingModelSpec | undefined {
    return this.byName.get(name);
  }

  /** Whether the model can make vectors of `dimensions` values. */
  static supportsDimensions(spec: EmbeddingModelSpec, dimensions: number): boolean {
    if (dimensions === spec.dimensions) return true;
    return spec.dimensionRange !== null && dimensions >= spec.dimensionRange.min && dimensions <= spec.dimensionRange.max;
  }

  async embed(spec: EmbeddingModelSpec, inputs: string[] | number[][], options: ModelEmbedOptions = {}): Promise<number[][]> {
    const dimensions = options.dimensions ?? spec.dimensions;
    if (!EmbeddingModelCatalog.supportsDimensions(spec, dimensions)) {
      throw new RangeError(`model ${spec.name} cannot make ${dimensions}-dimensional embeddings`);
    }
    const embedder = this.embedderFor(spec, dimensions);
    if (inputs.length === 0) return [];
    if (typeof inputs[0] === 'string') return embedder.embed(inputs as string[], options);
    const tokens = inputs as number[][];
    if (embedder instanceof OpenAiEmbedder) return embedder.embedTokens(tokens, options);
    const decode = await loadDecoder();
    const texts = tokens.map((ids, i) => {
      try {
        return decode(ids);
      } catch (error) {
        throw new EmbeddingInputError(`input ${i} holds token ids cl100k_base does not know (${(error as Error).message})`);
      }
    });
    return embedder.embed(texts, options);
  }

  private embedderFor(spec: EmbeddingModelSpec, dimensions: number): Embedder {
    const key = `${spec.name}\u0000${dimensions}`;
    let embedder = this.embedders.get(key);
    if (embedder) return embedder;
    if (spec.provider === 'hashing') embedder = new HashingEmbedder({ dimension: dimensions });
    else {
      if (spec.apiKey === undefined) throw new EmbeddingError(`model ${spec.name} has no API key configured`);
      const send = dimensions !== spec.nativeDimensions;
      embedder = new OpenAiEmbedder({
        apiKey: spec.apiKey,
        ...(spec.baseURL ? { baseURL: spec.baseURL } : {}),
        model: spec.model,
        ...(send ? { dimensions } : { nativeDimension: dimensions }),
        batchSize: spec.batchSize,
        ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
      });
    }
    // Bounded: a client asking for many sizes must not grow this without end.
    if (this.embedders.size >= MAX_KEPT_EMBEDDERS) this.embedders.clear();
    this.embedders.set(key, embedder);
    return embedder;
  }
}
