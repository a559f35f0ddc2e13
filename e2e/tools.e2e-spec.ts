import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { ConduitHeader } from '@conduit/contracts';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser, UserWithKey, waitFor } from '@conduit/testing';
import { CALCULATOR_PARAMETERS, HttpToolServer, SEND_EMAIL_PARAMETERS, startHttpToolServer } from '@conduit/tools/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';

// `tools` reaches the mock's OpenAI wire, which knows the `[[tool:NAME {json}]]` directives.
const llmConfigFile = join(tmpdir(), `conduit-e2e-tools-llm-${process.pid}.json`);
writeFileSync(llmConfigFile, JSON.stringify({ routes: { tools: [{ provider: 'openai', model: 'gpt-4.1-mini' }] } }));
const LOOPBACK_TOOLS = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' };

type ToolAnswer = OpenAI.Chat.Completions.ChatCompletion & {
  conduit?: { confirmation_id?: string; pending_tool_calls?: { id: string; function: { name: string } }[]; tool_run: { steps: number; finish: string } };
};

describe('platform-run tools end to end: openai client → gateway → orchestrator → tool server', () => {
  let platform: ChatPlatform;
  let admin: TenantWithUser;
  let colleague: UserWithKey;
  let other: TenantWithUser;
  let tools: HttpToolServer;
  let client: OpenAI;

  const gatewayFetch = (path: string, key: string, body: unknown) =>
    fetch(`${platform.gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    tools = await startHttpToolServer(secret);
    platform = await startChatPlatform({ ...LOOPBACK_TOOLS, LLM_CONFIG_FILE: llmConfigFile }, { gatewayEnv: LOOPBACK_TOOLS });
    admin = await createTenantWithUser(platform.prisma, { role: 'tenant_admin' });
    colleague = await createUserWithKey(platform.prisma, admin.tenant);
    other = await createTenantWithUser(platform.prisma, { role: 'tenant_admin' });
    for (const [name, parameters, danger] of [
      ['calculator', CALCULATOR_PARAMETERS, 'safe'],
      ['send_email', SEND_EMAIL_PARAMETERS, 'dangerous'],
    ] as const) {
      const registered = await gatewayFetch('/v1/tools', admin.apiKey, { name, url: tools.urlOf(name), parameters, danger, secret });
      expect(registered.status).toBe(201);
    }
    client = new OpenAI({ apiKey: admin.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await tools?.close();
    if (!platform) return;
    await removeTenants(platform.prisma, [admin, other].filter(Boolean).map((t) => t.tenant));
    await platform.stop();
  });

  const ask = (content: string) =>
    client.chat.completions.create({ model: 'tools', messages: [{ role: 'user', content }], conduit: { tools: 'all' } } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);

  const EMAIL = '[[tool:send_email {"to":"boss@example.test","subject":"Report","body":"Attached"}]]';

  it('runs the safe calculator in a loop, plain and streamed', async () => {
    const { data, response } = await ask('Add [[tool:calculator {"op":"add","a":2,"b":2}]]').withResponse();
    const answer = data as ToolAnswer;
    expect(answer.choices[0]?.message.content).toContain('tool result: {"result":4}');
    expect(answer.conduit?.tool_run).toMatchObject({ steps: 2, finish: 'answered' });
    expect(response.headers.get(ConduitHeader.MessageId)).toBeTruthy();

    const stream = await client.chat.completions.create({
      model: 'tools',
      stream: true,
      messages: [{ role: 'user', content: 'Multiply [[tool:calculator {"op":"mul","a":6,"b":7}]]' }],
      conduit: { tools: ['calculator'] },
    } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    let text = '';
    const finishes: string[] = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
    }
    expect(text).toContain('{"result":42}');
    expect(finishes).toEqual(['stop']);
  });

  it('pauses on send_email (plain and streamed); racing approves send it once; the other tenant and a colleague get 404', async () => {
    const before = tools.emails.length;
    const { data, response } = await ask(`Mail it ${EMAIL}`).withResponse();
    const paused = data as ToolAnswer;
    expect(paused.choices[0]?.finish_reason).toBe('requires_confirmation');
    const id = paused.conduit?.confirmation_id as string;
    expect(response.headers.get(ConduitHeader.ConfirmationId)).toBe(id);
    expect(paused.conduit?.pending_tool_calls?.[0]?.function.name).toBe('send_email');
    expect(tools.emails.length).toBe(before);

    expect((await gatewayFetch(`/v1/tool-confirmations/${id}`, other.apiKey, { decision: 'approve' })).status).toBe(404);
    expect((await gatewayFetch(`/v1/tool-confirmations/${id}`, colleague.apiKey, { decision: 'approve' })).status).toBe(404);

    const [a, b] = await Promise.all([
      gatewayFetch(`/v1/tool-confirmations/${id}`, admin.apiKey, { decision: 'approve' }),
      gatewayFetch(`/v1/tool-confirmations/${id}`, admin.apiKey, { decision: 'approve' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const resumed = (await (a.status === 200 ? a : b).json()) as ToolAnswer;
    expect(resumed.choices[0]?.message.content).toContain('sent');
    await waitFor(() => tools.emails.length, { what: 'the email', until: (n) => n === before + 1 });
    expect(tools.emails.at(-1)).toMatchObject({ to: 'boss@example.test' });

    // Streamed: the openai client iterates the pause chunk (no choices) and ends cleanly.
    const stream = await client.chat.completions.create({
      model: 'tools',
      stream: true,
      messages: [{ role: 'user', content: `Mail it again ${EMAIL}` }],
      conduit: { tools: 'all' },
    } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    let confirmation: string | undefined;
    const finishes: string[] = [];
    for await (const chunk of stream) {
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      const conduit = (chunk as unknown as { conduit?: { confirmation_id?: string } }).conduit;
      if (conduit?.confirmation_id) confirmation = conduit.confirmation_id;
    }
    expect(finishes).toEqual(['requires_confirmation']);
    expect(confirmation).toBeDefined();
    const denied = await gatewayFetch(`/v1/tool-confirmations/${confirmation}`, admin.apiKey, { decision: 'deny' });
    expect(denied.status).toBe(200);
    expect(((await denied.json()) as ToolAnswer).choices[0]?.message.content).toContain('denied');
    expect(tools.emails.length).toBe(before + 1);
  });
});
