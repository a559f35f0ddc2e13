import { randomUUID } from 'node:crypto';
import type { Embedder } from '@conduit/embeddings';
import { responseCacheRequests } from '@conduit/observability';
import { PolicyStore } from '@conduit/policies';
import { RETRIEVAL_EMBEDDER } from '@conduit/retrieval';
import { createOwner, removeOwners, TestOwner } from '../../../testing/fixtures';
import { internalChat } from '../../../testing/internal-chat';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../../../testing/orchestrator-test-app';

const INTERNAL_TOKEN = `token-${randomUUID()}`;

async function retrievalCount(outcome: string): Promise<number> {
  const metric = await responseCacheRequests.get();
  return metric.values.find((value) => value.labels.kind === 'retrieval' && value.labels.outcome === outcome)?.value ?? 0;
}

/** The retrieval stage with the tenant's `cache.retrieval` on: the second identical grounded chat embeds nothing. */
describe('retrieval stage: the retrieval cache', () => {
  let t: OrchestratorTestApp;
  const owners: TestOwner[] = [];

  beforeAll(async () => {
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN }, {}, { http: true });
  });

  afterAll(async () => {
    await removeOwners(t.prisma, owners);
    await t.close();
  });

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

  const grounded = { messages: [{ role: 'user', content: 'What is the refund policy?' }], conduit: { collection: 'kb' } };

  it('answers a repeated grounded chat from the cache (no query embedding), counted as kind retrieval', async () => {
    const owner = await tenant({ cache: { retrieval: { enabled: true, ttl_seconds: 60 } } });
    const embed = jest.spyOn(t.app.get<Embedder>(RETRIEVAL_EMBEDDER), 'embed');
    const [hits, misses] = [await retrievalCount('hit'), await retrievalCount('miss')];
    expect((await internalChat(t, INTERNAL_TOKEN, owner, grounded)).status).toBe(200);
    expect(await retrievalCount('miss')).toBe(misses + 1);
    // The store happens after the answer: ask until it is served from the cache.
    let calls = embed.mock.calls.length;
    for (let i = 0; i < 50 && (await retrievalCount('hit')) === hits; i += 1) {
      calls = embed.mock.calls.length;
      expect((await internalChat(t, INTERNAL_TOKEN, owner, grounded)).status).toBe(200);
    }
    expect(await retrievalCount('hit')).toBe(hits + 1);
    expect(embed.mock.calls.length).toBe(calls);
    embed.mockRestore();
  });

  it('is off by default: every grounded chat embeds its query', async () => {
    const owner = await tenant({});
    const embed = jest.spyOn(t.app.get<Embedder>(RETRIEVAL_EMBEDDER), 'embed');
    const misses = await retrievalCount('miss');
    for (let i = 0; i < 2; i += 1) expect((await internalChat(t, INTERNAL_TOKEN, owner, grounded)).status).toBe(200);
    expect(embed).toHaveBeenCalledTimes(2);
    expect(await retrievalCount('miss')).toBe(misses);
    embed.mockRestore();
  });
});
