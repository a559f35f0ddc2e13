import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { ConduitHeader } from '@conduit/contracts';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';

const ADMIN_KEY = `adm_${randomBytes(24).toString('hex')}`;
const LABEL = 'Summary of the earlier part of this conversation (written by Conduit';

/**
 * Session summaries across the services, as processes: the openai client through the gateway, the
 * orchestrator's persistence stage enqueuing `session.summarize`, its worker calling the (mock)
 * summariser, and the next chat of the session carrying the summary to the provider.
 */
describe('session summaries end to end: past the threshold the provider gets a summary plus the recent window', () => {
  let platform: ChatPlatform;
  let tenant: TenantWithUser;
  let client: OpenAI;

  beforeAll(async () => {
    platform = await startChatPlatform({}, { gatewayEnv: { ADMIN_API_KEY: ADMIN_KEY } });
    tenant = await createTenantWithUser(platform.prisma);
    const policy = await fetch(`${platform.gateway.url}/v1/admin/tenants/${tenant.tenant.id}/policy`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ memory: { mode: 'summaries', summary_threshold_tokens: 200 } }),
    });
    expect(policy.status).toBe(200);
    client = new OpenAI({ apiKey: tenant.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
  }, 240_000);

  afterAll(async () => {
    if (!platform) return;
    if (tenant) await removeTenants(platform.prisma, [tenant.tenant]);
    await platform.stop();
  });

  const question = (i: number) => `Fact ${i}: head-${i}. ${'The quick brown fox jumps over the lazy dog. '.repeat(5)} tail-${i}.`;
  const chatPrompts = () => platform.mock.state.requests.list().filter((entry) => !entry.prompt_text.includes('Conduit session summariser.'));

  it('summarises the older part in the background, then sends the summary and the window after it', async () => {
    let sessionId: string | undefined;
    for (let i = 0; i < 4; i += 1) {
      const { response } = await client.chat.completions
        .create({ model: 'default', messages: [{ role: 'user', content: question(i) }] }, sessionId ? { headers: { [ConduitHeader.SessionId]: sessionId } } : {})
        .withResponse();
      sessionId = response.headers.get(ConduitHeader.SessionId) ?? '';
      await waitFor(() => platform.prisma.message.count({ where: { sessionId } }), { until: (n) => n === (i + 1) * 2, what: 'the turn stored' });
    }
    const id = sessionId as string;
    const summary = await waitFor(() => platform.prisma.sessionSummary.findUnique({ where: { sessionId: id } }), { until: (s) => s !== null, timeoutMs: 30_000, what: 'the session summary' });
    expect(summary?.summary).toMatch(/^Summary: user: Fact 0: head-0\./);

    await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: question(4) }] }, { headers: { [ConduitHeader.SessionId]: id } });
    const prompt = chatPrompts().at(-1)?.prompt_text ?? '';
    expect(prompt).toContain(LABEL);
    expect(prompt).toContain(summary?.summary);
    expect(prompt).not.toContain('tail-0.');
    expect(prompt).toContain('tail-4.');

    // `conduit.memory: false` (extra_body): the plain window for this request.
    await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'plain please' }], conduit: { memory: false } } as OpenAI.ChatCompletionCreateParamsNonStreaming, { headers: { [ConduitHeader.SessionId]: id } });
    expect(chatPrompts().at(-1)?.prompt_text).not.toContain(LABEL);
  });
});
