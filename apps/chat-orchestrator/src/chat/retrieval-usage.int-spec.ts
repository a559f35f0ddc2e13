import { randomBytes, randomUUID } from 'node:crypto';
import { JobName, QueueName, UsageEvent, uuidFromName } from '@conduit/contracts';
import { HASHING_DEFAULT_DIMENSION, HASHING_MODEL } from '@conduit/embeddings';
import { waitFor } from '@conduit/testing';
import { VECTOR_STORE, type VectorStore, vectorSpaceFor } from '@conduit/vector-store';
import { createOwner, removeOwners, TestOwner } from '../testing/fixtures';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../testing/orchestrator-test-app';
import { ChatPipeline } from '../pipeline/chat-pipeline';

/**
 * A chat grounded in a collection embeds its query; that embedding is billed (issue 13, deliver 5):
 * one usage event, `feature: embedding`, whose id derives from the answer's id (fixed for async
 * jobs, so a re-run bills it once). Real Postgres (pgvector), Redis; the offline hashing embedder.
 */
describe('retrieval bills its query embedding', () => {
  let t: OrchestratorTestApp;
  let owner: TestOwner;
  const collection = `kb-${randomBytes(4).toString('hex')}`;

  const embeddingEvents = async (tenantId: string) =>
    (await t.producer.queue(QueueName.Usage).getJobs(['waiting', 'delayed', 'active', 'completed']))
      .filter((job) => job?.name === JobName.UsageRecord && (job.data as UsageEvent).tenant_id === tenantId && (job.data as UsageEvent).feature === 'embedding')
      .map((job) => job.data as UsageEvent);

  beforeAll(async () => {
    t = await startOrchestratorTestApp({ VECTOR_STORE: 'pgvector', EMBEDDINGS_PROVIDER: 'hashing' });
    owner = await createOwner(t.prisma);
    await t.prisma.collection.create({ data: { tenantId: owner.tenantId, ownerUserId: owner.userId, visibility: 'private', scopeId: owner.userId, name: collection, embeddingModel: HASHING_MODEL, embeddingDimension: HASHING_DEFAULT_DIMENSION } });
    await t.app.get<VectorStore>(VECTOR_STORE).ensureSpace(vectorSpaceFor(HASHING_MODEL, HASHING_DEFAULT_DIMENSION));
  });

  afterAll(async () => {
    if (!t) return;
    await removeOwners(t.prisma, [owner]);
    await t.close();
  });

  it('emits one embedding usage event for the query, billed to the caller, once per answer id', async () => {
    const chat = t.app.get(ChatPipeline);
    const context = { tenantId: owner.tenantId, userId: owner.userId, apiKeyId: null, requestId: `req-${randomUUID()}` };
    const body = { model: 'default', messages: [{ role: 'user' as const, content: 'What is the refund policy for returns?' }], conduit: { collection } };
    const assistantId = randomUUID();
    await chat.start(body, context, { assistantId });
    // The same answer prepared again (an async job re-run) bills nothing more.
    await chat.start(body, context, { assistantId });

    const events = await waitFor(() => embeddingEvents(owner.tenantId), { what: 'the query embedding usage event', until: (found) => found.length > 0 });
    expect(events).toEqual([
      expect.objectContaining({
        event_id: uuidFromName(`embedding:query:${assistantId}:${HASHING_MODEL}`),
        feature: 'embedding',
        provider: 'local',
        model: HASHING_MODEL,
        user_id: owner.userId,
        request_id: context.requestId,
        input_tokens: 7,
        output_tokens: 0,
      }),
    ]);
  });
});
