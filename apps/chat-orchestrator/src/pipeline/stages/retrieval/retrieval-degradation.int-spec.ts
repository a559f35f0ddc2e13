import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { ConduitHeader } from '@conduit/contracts';
import type { Embedder } from '@conduit/embeddings';
import { degradedTotal } from '@conduit/observability';
import { PolicyStore } from '@conduit/policies';
import { RETRIEVAL_EMBEDDER } from '@conduit/retrieval';
import { waitFor } from '@conduit/testing';
import { createOwner, removeOwners, TestOwner } from '../../../testing/fixtures';
import { internalChat } from '../../../testing/internal-chat';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../../../testing/orchestrator-test-app';

const INTERNAL_TOKEN = `token-${randomUUID()}`;

/** A loopback port nobody listens on: connections to it are refused at once. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function degradedCount(component: string): Promise<number> {
  const metric = await degradedTotal.get();
  return metric.values.find((value) => value.labels.component === component)?.value ?? 0;
}

/**
 * The vector store is down (the orchestrator points at a Qdrant nobody serves): a grounded chat
 * fails with 503 `retrieval_unavailable`, or is answered without documents, as the tenant's
 * `degradation.retrieval` says; both are counted in `conduit_degraded_total`.
 */
describe('retrieval stage: the vector store is down', () => {
  let t: OrchestratorTestApp;
  const owners: TestOwner[] = [];

  beforeAll(async () => {
    t = await startOrchestratorTestApp(
      { INTERNAL_TOKEN, VECTOR_STORE: 'qdrant', QDRANT_URL: `http://127.0.0.1:${await deadPort()}`, QDRANT_TIMEOUT_MS: '2000' },
      {},
      { http: true },
    );
  });

  afterAll(async () => {
    await removeOwners(t.prisma, owners);
    await t.close();
  });

  /** A tenant with the policy and a collection `kb` of the app's embedding model (its vectors are out of reach). */
  async function tenant(policy: unknown): Promise<TestOwner> {
    const owner = await createOwner(t.prisma);
    owners.push(owner);
    await t.app.get(PolicyStore).put(owner.tenantId, policy, 'test');
    const embedder = t.app.get<Embedder>(RETRIEVAL_EMBEDDER);
    await t.prisma.collection.create({
      data: { tenantId: owner.tenantId, ownerUserId: owner.userId, visibility: 'private', scopeId: owner.userId, name: 'kb', embeddingModel: embedder.model, embeddingDimension: embedder.dimension },
    });
    return owner;
  }

  const grounded = (collection = 'kb', extra: Record<string, unknown> = {}) => ({
    messages: [{ role: 'user', content: 'What is the refund policy?' }],
    conduit: { collection },
    ...extra,
  });

  it('fail (the default): 503 retrieval_unavailable, no provider call, counted', async () => {
    const owner = await tenant({});
    const before = await degradedCount('retrieval');
    t.mock.state.requests.clear();
    const response = await internalChat(t, INTERNAL_TOKEN, owner, grounded());
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string; param: string } };
    expect(body.error).toMatchObject({ code: 'retrieval_unavailable', param: 'conduit.collection' });
    expect(body.error.message).toContain("collection 'kb' is unavailable");
    expect(body.error.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect(response.headers.get(ConduitHeader.Degraded)).toBeNull();
    expect(t.mock.state.requests.list()).toHaveLength(0);
    expect(await degradedCount('retrieval')).toBe(before + 1);
  });

  it('answer_without: answered without documents, marked by header and on the stored message, counted', async () => {
    const owner = await tenant({ degradation: { retrieval: 'answer_without' } });
    const before = await degradedCount('retrieval');
    t.mock.state.requests.clear();
    const response = await internalChat(t, INTERNAL_TOKEN, owner, grounded());
    expect(response.status).toBe(200);
    expect(response.headers.get(ConduitHeader.Degraded)).toBe('retrieval');
    expect(response.headers.get(ConduitHeader.Citations)).toBeNull();
    const answer = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(answer.choices[0].message.content.length).toBeGreaterThan(0);
    // The provider got the question without a grounding system message.
    const sent = t.mock.state.requests.list();
    expect(sent).toHaveLength(1);
    expect(sent[0].prompt_text).toContain('refund policy');
    expect(sent[0].prompt_text).not.toContain('Sources:');
    const messageId = response.headers.get(ConduitHeader.MessageId) as string;
    const stored = await waitFor(() => t.prisma.message.findUnique({ where: { id: messageId } }), { what: 'the answer to be stored', until: (m) => m !== null });
    expect(stored?.metadata).toMatchObject({ degraded: ['retrieval'] });
    expect((stored?.metadata as { citations?: unknown }).citations).toBeUndefined();
    expect(await degradedCount('retrieval')).toBe(before + 1);
  });

  it('answer_without, streamed: the header is on the stream response', async () => {
    const owner = await tenant({ degradation: { retrieval: 'answer_without' } });
    const response = await internalChat(t, INTERNAL_TOKEN, owner, grounded('kb', { stream: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get(ConduitHeader.Degraded)).toBe('retrieval');
    expect(await response.text()).toContain('[DONE]');
  });

  it('a bad request is not degraded: a collection that does not exist is still 404, not counted', async () => {
    const owner = await tenant({ degradation: { retrieval: 'answer_without' } });
    const before = await degradedCount('retrieval');
    const response = await internalChat(t, INTERNAL_TOKEN, owner, grounded('no-such-collection'));
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('collection_not_found');
    expect(await degradedCount('retrieval')).toBe(before);
  });

  it('refuses a policy with an unknown degradation mode, naming the field', async () => {
    const owner = await tenant({});
    await expect(t.app.get(PolicyStore).put(owner.tenantId, { degradation: { retrieval: 'ignore' } }, 'test')).rejects.toThrow(/degradation\.retrieval/);
  });
});
