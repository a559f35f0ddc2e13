import OpenAI from 'openai';
import { ConduitHeader } from '@conduit/contracts';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser, UserWithKey, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import { RunningService, startReady } from './support/service-process';

const VOLCANO = `# Volcano field guide

Basalt lava flows from shield volcanoes are fluid and travel far. Pyroclastic flows are fast,
hot avalanches of ash and gas that descend the slopes of stratovolcanoes.
The caldera formed when the magma chamber emptied and the summit collapsed.`;

const BAKING = `# Sourdough notes

Feed the starter with equal weights of flour and water. A long cold proof in the refrigerator
develops flavour; bake the loaf in a preheated dutch oven for a crisp crust.`;

interface Citation {
  index: number;
  document_id: string;
  chunk_index: number;
  score: number;
  filename: string | null;
}

describe('retrieval in chat: upload → indexed → a grounded answer with citations', () => {
  let platform: ChatPlatform;
  let worker: RunningService;
  let alice: TenantWithUser;
  let bob: TenantWithUser;
  const ids: Record<string, string> = {};

  async function upload(owner: UserWithKey, filename: string, text: string, collection = 'field-guides'): Promise<string> {
    const form = new FormData();
    form.append('collection', collection);
    form.append('file', new Blob([text], { type: 'text/markdown' }), filename);
    const response = await fetch(`${platform.gateway.url}/v1/documents`, { method: 'POST', headers: { authorization: owner.authHeader }, body: form });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  }

  beforeAll(async () => {
    const storage = { BLOB_STORE: 'postgres', VECTOR_STORE: 'pgvector', EMBEDDINGS_PROVIDER: 'hashing' };
    platform = await startChatPlatform(storage, { gatewayEnv: storage });
    worker = await startReady('ingestion-worker', { ...storage, QUEUE_PREFIX: platform.queuePrefix });
    alice = await createTenantWithUser(platform.prisma);
    bob = await createTenantWithUser(platform.prisma);
    ids.volcano = await upload(alice, 'volcanoes.md', VOLCANO);
    ids.baking = await upload(alice, 'sourdough.md', BAKING);
    ids.bobVolcano = await upload(bob, 'bob-volcanoes.md', VOLCANO);
    await waitFor(() => platform.prisma.document.findMany({ where: { id: { in: Object.values(ids) } }, select: { status: true } }), {
      what: 'three documents indexed',
      until: (rows) => rows.length === 3 && rows.every((row) => row.status === 'indexed'),
      timeoutMs: 30_000,
    });
  });

  afterAll(async () => {
    await worker?.stop('SIGTERM');
    if (platform) {
      await removeTenants(platform.prisma, [alice, bob].filter(Boolean).map((t) => t.tenant));
      await platform.stop();
    }
  });

  it('answers from the right document and cites it, in the body and in a header', async () => {
    const client = new OpenAI({ apiKey: alice.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
    platform.mock.state.requests.clear();
    const { data, response } = await client.chat.completions
      .create({
        model: 'default',
        messages: [{ role: 'user', content: 'What happens in a pyroclastic flow on a stratovolcano?' }],
        // @ts-expect-error Conduit's extension field (OpenAI clients send it via extra_body)
        conduit: { collection: 'field-guides', top_k: 2 },
      })
      .withResponse();
    const citations = (data as unknown as { citations: Citation[] }).citations;
    expect(citations.length).toBeGreaterThan(0);
    expect(citations[0]).toMatchObject({ index: 1, document_id: ids.volcano, filename: 'volcanoes.md' });
    expect(citations.map((c) => c.document_id)).not.toContain(ids.bobVolcano);
    const header = JSON.parse(decodeURIComponent(response.headers.get(ConduitHeader.Citations) ?? '[]')) as Citation[];
    expect(header).toEqual(citations);
    // The upstream saw the grounded prompt: far more input than the question alone.
    expect(platform.mock.state.requests.list()[0].prompt_tokens).toBeGreaterThan(40);
    const stored = await waitFor(
      () => platform.prisma.message.findFirst({ where: { sessionId: response.headers.get(ConduitHeader.SessionId) ?? '', role: 'assistant' } }),
      { what: 'the stored assistant message' },
    );
    expect((stored.metadata as { citations?: Citation[] }).citations?.[0].document_id).toBe(ids.volcano);
  });

  it("never retrieves another tenant's documents: a collection name is per tenant", async () => {
    const carol = await createTenantWithUser(platform.prisma);
    try {
      const response = await fetch(`${platform.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: carol.authHeader, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'pyroclastic flow?' }], conduit: { collection: 'field-guides' } }),
      });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('collection_not_found');
    } finally {
      await removeTenants(platform.prisma, [carol.tenant]);
    }
  });

  it('gives another user of the same tenant neither chunks nor citations from a private collection; a tenant collection serves them all', async () => {
    const colleague = await createUserWithKey(platform.prisma, alice.tenant);
    const ask = (who: UserWithKey, collection: string) =>
      fetch(`${platform.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: who.authHeader, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'pyroclastic flow?' }], conduit: { collection } }),
      });
    // Alice's upload made `field-guides` her private collection: the colleague does not see it.
    const refused = await ask(colleague, 'field-guides');
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('collection_not_found');

    // A tenant admin shares a collection; every user of the tenant is grounded in it and cites it.
    const admin = await createUserWithKey(platform.prisma, alice.tenant, { role: 'tenant_admin' });
    const created = await fetch(`${platform.gateway.url}/v1/collections`, {
      method: 'POST',
      headers: { authorization: admin.authHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'shared-guides', visibility: 'tenant' }),
    });
    expect(created.status).toBe(201);
    const shared = await upload(admin, 'shared-volcanoes.md', VOLCANO, 'shared-guides');
    await waitFor(() => platform.prisma.document.findUnique({ where: { id: shared } }), { what: 'the shared document indexed', until: (row) => row?.status === 'indexed', timeoutMs: 30_000 });
    for (const who of [colleague, alice]) {
      const answer = await ask(who, 'shared-guides');
      expect(answer.status).toBe(200);
      const citations = ((await answer.json()) as { citations: Citation[] }).citations;
      expect(citations.map((c) => c.document_id)).toEqual([shared]);
    }
    const outside = await ask(bob, 'shared-guides');
    expect(outside.status).toBe(404);
  });
});
