import OpenAI from 'openai';
import type { EmbedOptions, Embedder } from './embedder';
import { EmbeddingError } from './embedding.exception';
import { normalizeInPlace, throwIfAborted } from './vector-math';

export const OPENAI_DEFAULT_EMBEDDING_MODEL = 'text-embedding-3-small';

/** Native output sizes of OpenAI's embedding models (used when `dimensions` is not configured). */
export const KNOWN_EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** OpenAI accepts at most 2048 inputs per request. */
export const OPENAI_MAX_BATCH_SIZE = 2048;

export interface OpenAiEmbedderOptions {
  apiKey: string;
  /** Any OpenAI-compatible endpoint, including the `/v1` part, e.g. `http://vllm:8000/v1`. Default OpenAI. */
  baseURL?: string;
  /** Default `text-embedding-3-small`. */
  model?: string;
  /** Sent as `dimensions` (shortened embeddings) when set; otherwise the model's native size is expected. */
  dimensions?: number;
  /**
   * The model's output size when `dimensions` is not sent (for models not in
   * {@link KNOWN_EMBEDDING_DIMENSIONS}, whose size must otherwise be sent as `dimensions`).
   */
  nativeDimension?: number;
  /** Inputs per request, 1 – 2048. Default 128. */
  batchSize?: number;
  /** Retries of a request answered 429 or 5xx. Default 2. */
  maxRetries?: number;
  /** First retry delay (doubled per retry, with jitter) when no retry-after is given. Default 500 ms. */
  retryBaseDelayMs?: number;
  /** Longest wait before a retry, also capping retry-after. Default 10000 ms. */
  retryMaxDelayMs?: number;
  /** Per-request timeout. Default 60000 ms. */
  timeoutMs?: number;
  /**
   * Wire encoding requested. `base64` (default, what the official client does) is compact; servers
   * that ignore it and send floats are handled too. Use `float` for servers that reject base64.
   */
  encodingFormat?: 'base64' | 'float';
  /** Custom fetch (tests, proxies). */
  fetch?: typeof fetch;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error as { name?: unknown } | null)?.name === 'AbortError' || error instanceof OpenAI.APIUserAbortError;
}

/** Seconds or HTTP date of a retry-after header (or retry-after-ms), in ms. */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { headers?: { get?: (name: string) => string | null } } | null)?.headers;
  if (typeof headers?.get !== 'function') return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : Object.assign(new Error('the operation was aborted'), { name: 'AbortError' }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function decodeEmbedding(value: unknown, what: string): number[] {
  if (Array.isArray(value)) return value.map(Number);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length % 4 !== 0) throw new EmbeddingError(`${what}: base64 embedding is not a whole number of float32 values`);
    const out = new Array<number>(bytes.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
    return out;
  }
  throw new EmbeddingError(`${what}: embedding is neither a float array nor base64`);
}

/** About 4 characters a token for texts; a token array counts its ids. */
function estimateTokens(input: string[] | number[][]): number {
  let chars = 0;
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') chars += item.length;
    else tokens += item.length;
  }
  return tokens + Math.ceil(chars / 4);
}

/**
 * Embeddings from an OpenAI-compatible `/v1/embeddings` endpoint through the `openai` SDK. Inputs go
 * in batches of `batchSize` (in order, one request at a time); a batch answered 429 or 5xx is retried
 * up to `maxRetries` times with exponential backoff and jitter (or the server's retry-after). Vectors
 * are checked for size and re-normalised to unit length.
 */
export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;
  private readonly client: OpenAI;
  private readonly dimensions?: number;
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly encodingFormat: 'base64' | 'float';

  constructor(options: OpenAiEmbedderOptions) {
    this.model = options.model ?? OPENAI_DEFAULT_EMBEDDING_MODEL;
    if (options.dimensions !== undefined && (!Number.isInteger(options.dimensions) || options.dimensions < 1)) {
      throw new RangeError(`OpenAiEmbedder: dimensions must be a positive integer, got ${options.dimensions}`);
    }
    const dimension = options.dimensions ?? options.nativeDimension ?? KNOWN_EMBEDDING_DIMENSIONS[this.model];
    if (dimension === undefined) {
      throw new RangeError(`OpenAiEmbedder: the output size of model "${this.model}" is unknown; configure dimensions (EMBEDDINGS_DIMENSION)`);
    }
    this.dimension = dimension;
    this.dimensions = options.dimensions;
    const batchSize = options.batchSize ?? 128;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > OPENAI_MAX_BATCH_SIZE) {
      throw new RangeError(`OpenAiEmbedder: batchSize must be an integer in [1, ${OPENAI_MAX_BATCH_SIZE}], got ${batchSize}`);
    }
    this.batchSize = batchSize;
    this.maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 2));
    this.retryBaseDelayMs = Math.max(0, options.retryBaseDelayMs ?? 500);
    this.retryMaxDelayMs = Math.max(0, options.retryMaxDelayMs ?? 10_000);
    this.encodingFormat = options.encodingFormat ?? 'base64';
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? null,
      maxRetries: 0, // retries are ours: only 429 / 5xx, with jitter
      timeout: options.timeoutMs ?? 60_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
    // The API rejects empty strings; a single space embeds "nothing" without failing the batch.
    return this.embedInputs(texts.map((text) => (text === '' ? ' ' : text)), options);
  }

  /**
   * Pre-tokenised inputs (token ids of the model's tokenizer, e.g. cl100k_base for OpenAI's
   * models), sent as they are: one vector per token array, same order.
   */
  async embedTokens(tokens: number[][], options: EmbedOptions = {}): Promise<number[][]> {
    return this.embedInputs(tokens, options);
  }

  private async embedInputs(inputs: string[] | number[][], options: EmbedOptions): Promise<number[][]> {
    const out: number[][] = [];
    for (let start = 0; start < inputs.length; start += this.batchSize) {
      throwIfAborted(options.signal);
      out.push(...(await this.embedBatch(inputs.slice(start, start + this.batchSize) as string[] | number[][], options)));
    }
    return out;
  }

  private async embedBatch(input: string[] | number[][], { signal, onUsage }: EmbedOptions): Promise<number[][]> {
    for (let attempt = 0; ; attempt++) {
      let response: OpenAI.Embeddings.CreateEmbeddingResponse;
      try {
        response = await this.client.embeddings.create(
          {
            model: this.model,
            input,
            encoding_format: this.encodingFormat,
            ...(this.dimensions !== undefined ? { dimensions: this.dimensions } : {}),
          },
          { maxRetries: 0, ...(signal ? { signal } : {}) },
        );
      } catch (error) {
        if (isAbort(error, signal)) throw error;
        const status = statusOf(error);
        const retryable = status === 429 || (status !== undefined && status >= 500);
        if (!retryable || attempt >= this.maxRetries) {
          const tries = attempt + 1;
          throw new EmbeddingError(
            `embeddings request (model ${this.model}, ${input.length} inputs) failed${tries > 1 ? ` after ${tries} attempts` : ''}: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error, ...(status !== undefined ? { status } : {}) },
          );
        }
        await sleep(this.retryDelay(attempt, retryAfterMs(error)), signal);
        continue;
      }
      const vectors = this.vectorsOf(response, input.length);
      // What the provider bills: its own count (a server that sends none is counted at ~4 characters a token).
      const counted = Number(response.usage?.prompt_tokens);
      const inputTokens = Number.isFinite(counted) && counted >= 0 ? counted : estimateTokens(input);
      onUsage?.({ provider: 'openai', model: this.model, inputTokens });
      return vectors;
    }
  }

  /** Exponential backoff with "equal jitter"; a retry-after is honoured (plus up to 10 %), capped. */
  private retryDelay(attempt: number, retryAfter: number | undefined): number {
    if (retryAfter !== undefined) return Math.min(this.retryMaxDelayMs, retryAfter * (1 + Math.random() * 0.1));
    const ceiling = Math.min(this.retryMaxDelayMs, this.retryBaseDelayMs * 2 ** attempt);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private vectorsOf(response: OpenAI.Embeddings.CreateEmbeddingResponse, expected: number): number[][] {
    const data = Array.isArray(response?.data) ? response.data : [];
    if (data.length !== expected) {
      throw new EmbeddingError(`embeddings response has ${data.length} vectors for ${expected} inputs (model ${this.model})`);
    }
    const out = new Array<number[]>(expected);
    data.forEach((item, position) => {
      const index = Number.isInteger(item.index) ? item.index : position;
      if (index < 0 || index >= expected || out[index] !== undefined) {
        throw new EmbeddingError(`embeddings response has a bad or repeated index ${item.index} (model ${this.model})`);
      }
      const vector = decodeEmbedding(item.embedding, `embeddings response item ${index}`);
      if (vector.length !== this.dimension) {
        throw new EmbeddingError(
          `model ${this.model} returned ${vector.length}-dimensional embeddings, expected ${this.dimension} (check EMBEDDINGS_DIMENSION)`,
        );
      }
      out[index] = normalizeInPlace(vector, `embedding ${index} of model ${this.model}`);
    });
    return out;
  }
}
