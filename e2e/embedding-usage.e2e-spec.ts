import { randomBytes } from 'node:crypto';
import { RunningMockLlm, startMockLlmServer } from '@conduit/mock-llm';
import { vectorSpaceFor } from '@conduit/vector-store';
import { articleText, waitFor } from '@conduit/testing';
import { IngestionFixture, openIngestionFixture } from './support/ingestion-fixture';
import { RunningService, startReady } from './support/service-process';

const MODEL = 'text-embedding-3-small';
const DIMENSION = 64;
const BATCH = 8;
/** `model_prices` (migration 20261207180953_embedding_prices): $0.02 per 1M input tokens. */
const USD_PER_MTOK = 0.02;

interface UsageRow {
  date: string;
  model: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/**
 * Issue 13, deliver 5: an ingestion's embedding calls are billed. Gateway, ingestion worker and
 * billing as processes; the worker embeds with the real OpenAI client against mock-llm; the
 * uploader then sees the embedding model in `GET /v1/usage`, priced from the price table.
 */
describe('embedding usage: an ingestion shows in /v1/usage', () => {
  const prefix = `e2e-embusage-${randomBytes(4).toString('hex')}`;
  let fixture: IngestionFixture;
  let mock: RunningMockLlm;
  let services: RunningService[] = [];

  beforeAll(async () => {
    fixture = await openIngestionFixture();
    mock = await startMockLlmServer({ embeddingDimensions: DIMENSION });
    const env = {
      BLOB_DIR: fixture.blobDir,
      QUEUE_PREFIX: prefix,
      VECTOR_STORE: 'pgvector',
      EMBEDDINGS_PROVIDER: 'openai',
      EMBEDDINGS_MODEL: MODEL,
      EMBEDDINGS_DIMENSION: String(DIMENSION),
      EMBEDDINGS_BASE_URL: `${mock.url}/v1`,
      EMBEDDINGS_API_KEY: 'mock-key',
      EMBEDDINGS_CACHE_TTL_S: '0',
    };
    services = await Promise.all([
      startReady('api-gateway', env),
      startReady('ingestion-worker', { ...env, EMBEDDINGS_BATCH_SIZE: String(BATCH), CHUNK_TOKENS: '64', CHUNK_OVERLAP_TOKENS: '8' }),
      startReady('billing', { QUEUE_PREFIX: prefix }),
    ]);
  }, 180_000);

  afterAll(async () => {
    if (!fixture) return;
    const space = vectorSpaceFor(MODEL, DIMENSION);
    for (const { id } of await fixture.prisma.document.findMany({ where: { tenantId: fixture.owner.tenant.id }, select: { id: true } })) {
      await fixture.vectors.deleteDocument(space, fixture.owner.tenant.id, id);
    }
    await fixture.close(services);
    await mock?.close();
  });

  it('bills each embedded batch to the uploader: the embedding model appears in /v1/usage with its tokens and cost', async () => {
    const [gateway] = services;
    const auth = { authorization: fixture.owner.authHeader };
    const form = new FormData();
    form.append('collection', 'billed');
    form.append('file', new Blob([Buffer.from(articleText(24, 3))]), 'billed.txt');
    const uploaded = await fetch(`${gateway.url}/v1/documents`, { method: 'POST', headers: auth, body: form });
    expect(uploaded.status).toBe(202);
    const { id } = (await uploaded.json()) as { id: string };
    const indexed = await waitFor(
      async () => (await (await fetch(`${gateway.url}/v1/documents/${id}`, { headers: auth })).json()) as { status: string; progress: { chunks_total: number } },
      { what: 'the document to be indexed', until: (d) => d.status === 'indexed' || d.status === 'failed', timeoutMs: 30_000 },
    );
    expect(indexed.status).toBe('indexed');
    const calls = mock.state.requests.list().filter((r) => r.path === '/v1/embeddings');
    const tokens = calls.reduce((sum, call) => sum + call.prompt_tokens, 0);
    expect(calls).toHaveLength(Math.ceil(indexed.progress.chunks_total / BATCH));

    const usage = await waitFor(
      async () => ((await (await fetch(`${gateway.url}/v1/usage`, { headers: auth })).json()) as { data: UsageRow[] }).data,
      { what: 'the embedding usage in /v1/usage', until: (rows) => rows.some((row) => row.model === MODEL && row.requests === calls.length), timeoutMs: 20_000 },
    );
    const row = usage.find((r) => r.model === MODEL);
    expect(row).toMatchObject({ requests: calls.length, input_tokens: tokens, output_tokens: 0 });
    expect(row?.cost_usd).toBeCloseTo((tokens * USD_PER_MTOK) / 1_000_000, 9);
    const ledger = await fixture.prisma.usageEvent.findMany({ where: { tenantId: fixture.owner.tenant.id } });
    expect(ledger.every((event) => event.feature === 'embedding' && event.userId === fixture.owner.user.id)).toBe(true);
  });
});
