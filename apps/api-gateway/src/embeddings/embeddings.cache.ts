import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A cached answer: the vectors (float32) and the input tokens the call that made them counted. */
export interface CachedEmbeddings {
  vectors: Float32Array[];
  promptTokens: number;
}

export interface EmbeddingsCacheKey {
  tenantId: string;
  /** The provider's model id (two names of one model share entries). */
  model: string;
  dimensions: number;
  inputs: string[] | number[][];
}

/** Entries bigger than this are not stored (a 2048-input batch of 3072-dimensional vectors is 25 MB). */
export const EMBEDDINGS_CACHE_MAX_BYTES = 4 * 1024 * 1024;
/** Header of an entry: version, vector count, dimensions, prompt tokens (uint32 LE each). */
const HEADER_BYTES = 16;
const VERSION = 1;

/** Connection states in which a command would fail or wait for a reconnect: skip the cache. */
const UNUSABLE = new Set(['reconnecting', 'close', 'end']);

/** SHA-256 of the inputs, texts and token arrays told apart (`["1"]` is not `[1]`). */
export function inputHash(inputs: string[] | number[][]): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

export function encodeEntry(entry: CachedEmbeddings): Buffer {
  const dimensions = entry.vectors[0]?.length ?? 0;
  const buffer = Buffer.allocUnsafe(HEADER_BYTES + entry.vectors.length * dimensions * 4);
  buffer.writeUInt32LE(VERSION, 0);
  buffer.writeUInt32LE(entry.vectors.length, 4);
  buffer.writeUInt32LE(dimensions, 8);
  buffer.writeUInt32LE(Math.min(entry.promptTokens, 0xffffffff), 12);
  let offset = HEADER_BYTES;
  for (const vector of entry.vectors) {
    for (let i = 0; i < dimensions; i++, offset += 4) buffer.writeFloatLE(vector[i], offset);
  }
  return buffer;
}

/** The entry, or undefined when the bytes are not one made for `count` vectors of `dimensions` values. */
export function decodeEntry(buffer: Buffer, count: number, dimensions: number): CachedEmbeddings | undefined {
  if (buffer.length !== HEADER_BYTES + count * dimensions * 4) return undefined;
  if (buffer.readUInt32LE(0) !== VERSION || buffer.readUInt32LE(4) !== count || buffer.readUInt32LE(8) !== dimensions) return undefined;
  const vectors: Float32Array[] = [];
  let offset = HEADER_BYTES;
  for (let v = 0; v < count; v++) {
    const vector = new Float32Array(dimensions);
    for (let i = 0; i < dimensions; i++, offset += 4) vector[i] = buffer.readFloatLE(offset);
    vectors.push(vector);
  }
  return { vectors, promptTokens: buffer.readUInt32LE(12) };
}

/**
 * The embeddings API's cache: one Redis entry per answer, keyed by tenant, model, dimensions and
 * the SHA-256 of the inputs (`<prefix>:emb-api:<tenant>:<model>:<dimensions>:<hash>`), so one
 * tenant can never be served another's vectors. Values are float32 bytes behind a small header.
 * Best effort: when Redis is down or a command fails, the call goes to the provider (`onError`).
 */
export class EmbeddingsCache {
  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix: string; ttlSeconds: number; onError: (error: Error) => void },
  ) {}

  keyOf(key: EmbeddingsCacheKey): string {
    return `${this.options.prefix}:emb-api:${key.tenantId}:${encodeURIComponent(key.model)}:${key.dimensions}:${inputHash(key.inputs)}`;
  }

  async get(key: EmbeddingsCacheKey): Promise<CachedEmbeddings | undefined> {
    if (UNUSABLE.has(this.redis.status)) return undefined;
    try {
      const buffer = await this.redis.getBuffer(this.keyOf(key));
      return buffer ? decodeEntry(buffer, key.inputs.length, key.dimensions) : undefined;
    } catch (error) {
      this.options.onError(error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  }

  /** Stores the answer unless it is larger than {@link EMBEDDINGS_CACHE_MAX_BYTES}; never throws. */
  async set(key: EmbeddingsCacheKey, entry: CachedEmbeddings): Promise<void> {
    if (UNUSABLE.has(this.redis.status)) return;
    if (HEADER_BYTES + entry.vectors.length * key.dimensions * 4 > EMBEDDINGS_CACHE_MAX_BYTES) return;
    try {
      await this.redis.set(this.keyOf(key), encodeEntry(entry), 'EX', this.options.ttlSeconds);
    } catch (error) {
      this.options.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
