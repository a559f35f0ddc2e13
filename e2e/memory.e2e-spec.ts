import { randomBytes, randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser, UserWithKey, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';

const ADMIN_KEY = `adm_${randomBytes(24).toString('hex')}`;
const MEMORY_HEADER = 'Long-term memories about this user';

interface MemoryList {
  data: { id: string; content: string; origin: string; source_message_ids: string[] }[];
}

/**
 * Long-term memories across the services, as processes: a fact said to the gateway is extracted by
 * the orchestrator's worker, listed by `/v1/memories`, recalled into a later session's provider
 * context (mock-llm's request log), never into a colleague's, billed as `memory` by billing, and
 * gone — rows and recall — after `DELETE /v1/memories`.
 */
describe('long-term memories end to end', () => {
  let platform: ChatPlatform;
  let alice: TenantWithUser;
  let colleague: UserWithKey;

  const api = (key: string, method: string, path: string, body?: unknown) =>
    fetch(`${platform.gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  /** One chat in a new session; the prompt text the provider received for it. */
  async function chat(key: string, content: string): Promise<string> {
    const marker = `[m-${randomUUID()}]`;
    // Retries: a loaded machine may answer admission 503 (retry-after: 1) before any provider call.
    const client = new OpenAI({ apiKey: key, baseURL: `${platform.gateway.url}/v1`, maxRetries: 3 });
    await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: `${content} ${marker}` }] });
    const entry = platform.mock.state.requests.list().find((r) => r.prompt_text.includes(marker) && !r.prompt_text.includes('Conduit memory extractor'));
    expect(entry).toBeDefined();
    return entry?.prompt_text ?? '';
  }

  beforeAll(async () => {
    platform = await startChatPlatform({}, { gatewayEnv: { ADMIN_API_KEY: ADMIN_KEY } });
    alice = await createTenantWithUser(platform.prisma);
    colleague = await createUserWithKey(platform.prisma, alice.tenant);
    const policy = await api(ADMIN_KEY, 'PUT', `/v1/admin/tenants/${alice.tenant.id}/policy`, { memory: { mode: 'full', recall_min_score: 0 } });
    expect(policy.status).toBe(200);
  });

  afterAll(async () => {
    if (!platform) return;
    if (alice) await removeTenants(platform.prisma, [alice.tenant]);
    await platform.stop();
  });

  it('extracts a stated fact, recalls it in a later session of the same user only, bills it, and forgets it on request', async () => {
    await chat(alice.apiKey, 'My name is Sam. I prefer green tea.');
    const listed = await waitFor(async () => (await (await api(alice.apiKey, 'GET', '/v1/memories')).json()) as MemoryList, {
      what: "alice's extracted memories",
      until: (list) => list.data.length === 2,
      timeoutMs: 20_000,
    });
    expect(listed.data.map((m) => m.content).sort()).toEqual(['Name is Sam', 'Prefers green tea']);
    expect(listed.data.every((m) => m.origin === 'extracted' && m.source_message_ids.length === 1)).toBe(true);
    await waitFor(() => platform.prisma.memory.count({ where: { tenantId: alice.tenant.id, embeddedAt: { not: null } } }), { what: 'the memories embedded', until: (n) => n === 2 });

    const later = await chat(alice.apiKey, 'Which green tea should I buy?');
    expect(later).toContain(MEMORY_HEADER);
    expect(later).toContain('Prefers green tea');
    const theirs = await chat(colleague.apiKey, 'Which green tea should I buy?');
    expect(theirs).not.toContain('Prefers green tea');
    expect((await (await api(colleague.apiKey, 'GET', '/v1/memories')).json()) as MemoryList).toMatchObject({ data: [] });

    await waitFor(() => platform.prisma.usageEvent.count({ where: { tenantId: alice.tenant.id, feature: 'memory' } }), { what: 'memory usage billed', until: (n) => n > 0, timeoutMs: 20_000 });

    const forgotten = await api(alice.apiKey, 'DELETE', '/v1/memories');
    expect(forgotten.status).toBe(200);
    expect(await forgotten.json()).toEqual({ object: 'memory.forgotten', deleted: 2 });
    expect(await platform.prisma.memory.count({ where: { tenantId: alice.tenant.id, userId: alice.user.id } })).toBe(0);
    expect(await chat(alice.apiKey, 'Which green tea should I buy?')).not.toContain('Prefers green tea');
  });
});
