import { startMockLlmServer, type RunningMockLlm } from '@conduit/mock-llm';
import { waitFor } from '@conduit/testing';
import { EmbeddingError } from './embedding.exception';
import { OpenAiEmbedder, type OpenAiEmbedderOptions } from './openai.embedder';

describe('OpenAiEmbedder against the mock upstream', () => {
  let mock: RunningMockLlm;

  beforeAll(async () => {
    mock = await startMockLlmServer();
  });

  afterAll(async () => {
    await mock.close();
  });

  beforeEach(() => {
    mock.state.faults.clear();
    mock.state.requests.clear();
  });

  const embedder = (options: Partial<OpenAiEmbedderOptions> = {}) =>
    new OpenAiEmbedder({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, retryBaseDelayMs: 5, ...options });
  const embeddingRequests = () => mock.state.requests.list().filter((entry) => entry.path === '/v1/embeddings');
  const norm = (v: number[]) => Math.hypot(...v);

  it('embeds with the configured dimensions, unit length, deterministic', async () => {
    const e = embedder({ dimensions: 32 });
    expect([e.model, e.dimension]).toEqual(['text-embedding-3-small', 32]);
    const vectors = await e.embed(['hello world', 'another text', '']);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toHaveLength(32);
      expect(norm(v)).toBeCloseTo(1, 6);
    }
    expect(vectors[0]).not.toEqual(vectors[1]);
    expect(await e.embed(['hello world'])).toEqual([vectors[0]]);
    expect(embeddingRequests().map((r) => [r.model, r.status])).toEqual([
      ['text-embedding-3-small', 200],
      ['text-embedding-3-small', 200],
    ]);
  });

  it('decodes float and base64 answers alike', async () => {
    const [asBase64] = await embedder({ dimensions: 16 }).embed(['same text']);
    const [asFloat] = await embedder({ dimensions: 16, encodingFormat: 'float' }).embed(['same text']);
    asFloat.forEach((x, i) => expect(x).toBeCloseTo(asBase64[i], 6));
  });

  it("uses the model's native size when dimensions are not configured", async () => {
    const [v] = await embedder().embed(['native size']);
    expect(v).toHaveLength(1536);
  });

  it('splits inputs into batches and keeps the input order', async () => {
    const texts = Array.from({ length: 5 }, (_, i) => `text ${i}`);
    const batched = await embedder({ dimensions: 8, batchSize: 2 }).embed(texts);
    expect(embeddingRequests()).toHaveLength(3);
    const whole = await embedder({ dimensions: 8, batchSize: 100 }).embed(texts);
    expect(embeddingRequests()).toHaveLength(4);
    expect(batched).toEqual(whole);
    expect(await embedder().embed([])).toEqual([]);
    expect(embeddingRequests()).toHaveLength(4);
  });

  it('rejects vectors of an unexpected size, naming both sizes', async () => {
    // no `dimensions` is sent for text-embedding-3-large, and the mock answers with 1536
    const error = await embedder({ model: 'text-embedding-3-large' })
      .embed(['x'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingError);
    expect((error as Error).message).toMatch(/returned 1536-dimensional embeddings, expected 3072/);
  });

  it('retries 5xx answers and succeeds', async () => {
    mock.state.faults.add({ match: { path: '/v1/embeddings' }, fault: { status: 503 }, times: 2 });
    const vectors = await embedder({ dimensions: 8 }).embed(['retry me']);
    expect(vectors).toHaveLength(1);
    expect(embeddingRequests().map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('retries a 429 after the retry-after', async () => {
    mock.state.faults.add({ match: { path: '/v1/embeddings' }, fault: { status: 429, retry_after: 0.1 }, times: 1 });
    const started = Date.now();
    await embedder({ dimensions: 8 }).embed(['rate limited']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(embeddingRequests().map((r) => r.status)).toEqual([429, 200]);
  });

  it('gives up after maxRetries, with the status', async () => {
    mock.state.faults.add({ match: { path: '/v1/embeddings' }, fault: { status: 500 } });
    const error = await embedder({ dimensions: 8, maxRetries: 2 })
      .embed(['always failing'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error).toMatchObject({ status: 500 });
    expect((error as Error).message).toMatch(/after 3 attempts/);
    expect(embeddingRequests()).toHaveLength(3);
  });

  it('does not retry other client errors', async () => {
    mock.state.faults.add({ match: { path: '/v1/embeddings' }, fault: { status: 400 }, times: 1 });
    const error = await embedder({ dimensions: 8 })
      .embed(['bad request'])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EmbeddingError', status: 400 });
    expect(embeddingRequests()).toHaveLength(1);
  });

  it('stops waiting to retry when aborted', async () => {
    mock.state.faults.add({ match: { path: '/v1/embeddings' }, fault: { status: 503 } });
    const controller = new AbortController();
    const pending = embedder({ dimensions: 8, retryBaseDelayMs: 60_000, retryMaxDelayMs: 60_000 }).embed(['slow'], { signal: controller.signal });
    // Abort while it waits to retry: after the first call has been answered 503.
    await waitFor(() => embeddingRequests().some((entry) => entry.status === 503), { what: 'the first call to be refused' });
    controller.abort();
    const started = Date.now();
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(embeddingRequests()).toHaveLength(1);
  });

  it('refuses an unknown model without dimensions', () => {
    expect(() => embedder({ model: 'my-embedder' })).toThrow(/EMBEDDINGS_DIMENSION/);
    expect(() => embedder({ batchSize: 0 })).toThrow(RangeError);
  });
});
