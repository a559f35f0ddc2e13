import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { ConduitHeader } from '@conduit/contracts';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser, UserWithKey, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';

/**
 * Prompt templates end to end: a tenant admin manages a template over the gateway's API; the real
 * openai client names it with `extra_body`; gateway → orchestrator (stage `template`) → mock
 * upstream; billing records the usage event; traces reach the OTLP receiver.
 */
describe('prompt templates end to end (openai client, extra_body)', () => {
  let platform: ChatPlatform;
  let admin: TenantWithUser;
  let member: UserWithKey;
  let other: TenantWithUser;
  let client: OpenAI;
  const name = `support-${randomBytes(4).toString('hex')}`;

  const api = (path: string, key: string, method = 'GET', body?: unknown) =>
    fetch(`${platform.gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    platform = await startChatPlatform();
    admin = await createTenantWithUser(platform.prisma, { role: 'tenant_admin' });
    member = await createUserWithKey(platform.prisma, admin.tenant);
    other = await createTenantWithUser(platform.prisma, { role: 'tenant_admin' });
    client = new OpenAI({ apiKey: member.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
    expect((await api('/v1/prompts', admin.apiKey, 'POST', { name, description: 'Support bot' })).status).toBe(201);
    const variables = { type: 'object', required: ['customer'], properties: { customer: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } };
    for (const text of ['v1: be brief with {{customer.name}}.', 'v2: be warm with {{customer.name}}.']) {
      expect((await api(`/v1/prompts/${name}/versions`, admin.apiKey, 'POST', { messages: [{ role: 'system', content: text }], variables })).status).toBe(201);
    }
    expect((await api(`/v1/prompts/${name}/labels/production`, admin.apiKey, 'PUT', { version: 2 })).status).toBe(200);
  });

  afterAll(async () => {
    if (!platform) return;
    await removeTenants(platform.prisma, [admin, other].filter(Boolean).map((t) => t.tenant));
    await platform.stop();
  });

  it('renders the labelled version before the client messages and records the version on the message, the usage event and the span', async () => {
    platform.mock.state.requests.clear();
    const result = await client.chat.completions
      .create({
        model: 'default',
        messages: [{ role: 'user', content: 'Where is my parcel, please?' }],
        // @ts-expect-error Conduit's extension field (the Python client sends it via extra_body; the Node client passes unknown fields through)
        conduit: { prompt: { name, variables: { customer: { name: 'Ada' } } } },
      })
      .withResponse();
    expect(result.data.choices[0]?.message.content).toContain('Mock reply');
    const upstream = platform.mock.state.requests.list().find((e) => e.prompt_text.includes('Where is my parcel, please?'));
    expect(upstream?.prompt_text.split('\n')).toEqual(['v2: be warm with Ada.', 'Where is my parcel, please?']);

    const sessionId = result.response.headers.get(ConduitHeader.SessionId) ?? '';
    const messages = await waitFor(() => platform.prisma.message.findMany({ where: { sessionId }, orderBy: { createdAt: 'asc' } }), { what: 'the stored turn', until: (rows) => rows.length === 2 });
    expect(messages.map((m) => [m.role, m.promptName, m.promptVersion])).toEqual([
      ['user', name, 2],
      ['assistant', name, 2],
    ]);
    const event = await waitFor(() => platform.prisma.usageEvent.findUnique({ where: { id: messages[1]?.id as string } }), { what: 'the billed usage event', until: (row) => row !== null });
    expect(event).toMatchObject({ promptName: name, promptVersion: 2 });
    const span = await waitFor(() => platform.otlp.spans.find((s) => s.name === 'pipeline template' && s.attributes['conduit.prompt.name'] === name), {
      what: 'the template stage span',
      until: (s) => s !== undefined,
    });
    expect(String(span?.attributes['conduit.prompt.version'])).toBe('2');

    const usage = await waitFor(
      async () => (await (await api('/v1/usage?group_by=prompt', member.apiKey)).json()) as { data: { prompt_name: string | null; prompt_version: number | null; requests: number }[] },
      { what: 'the usage report by prompt version', until: (report) => report.data.some((row) => row.prompt_name === name) },
    );
    expect(usage.data).toContainEqual(expect.objectContaining({ prompt_name: name, prompt_version: 2, requests: 1 }));
  });

  it('answers a missing variable with 400 invalid_prompt_variables naming it (openai BadRequestError)', async () => {
    const error = await client.chat.completions
      // @ts-expect-error Conduit's extension field
      .create({ model: 'default', messages: [{ role: 'user', content: 'hi' }], conduit: { prompt: { name, variables: { customer: {} } } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('invalid_prompt_variables');
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('conduit.prompt.variables.customer.name');
  });

  it("gives another tenant 404 for the tenant's template, over the API and in a chat", async () => {
    expect((await api(`/v1/prompts/${name}`, other.apiKey)).status).toBe(404);
    const error = await new OpenAI({ apiKey: other.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 }).chat.completions
      // @ts-expect-error Conduit's extension field
      .create({ model: 'default', messages: [{ role: 'user', content: 'hi' }], conduit: { prompt: { name, variables: { customer: { name: 'x' } } } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('prompt_template_not_found');
  });

  it('streams a templated chat (the same pipeline renders it)', async () => {
    platform.mock.state.requests.clear();
    // Conduit's extension field rides in the body next to OpenAI's own.
    const body = {
      model: 'default',
      stream: true as const,
      messages: [{ role: 'user' as const, content: 'Stream my parcel status' }],
      conduit: { prompt: { name, version: 1, variables: { customer: { name: 'Bo' } } } },
    };
    const stream = await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsStreaming);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('Mock reply');
    const upstream = platform.mock.state.requests.list().find((e) => e.prompt_text.includes('Stream my parcel status'));
    expect(upstream?.prompt_text.split('\n')[0]).toBe('v1: be brief with Bo.');
  });

  it("records on an async job the label's version at submit and renders that version when the job runs", async () => {
    const submitted = await api('/v1/jobs', member.apiKey, 'POST', {
      type: 'chat.completion',
      input: { model: 'default', messages: [{ role: 'user', content: 'Job about my parcel' }], conduit: { prompt: { name, variables: { customer: { name: 'Cy' } } } } },
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const row = await platform.prisma.job.findUniqueOrThrow({ where: { id } });
    expect((row.input as { conduit: unknown }).conduit).toEqual({ prompt: { name, version: 2, variables: { customer: { name: 'Cy' } } } });
    const done = await waitFor(() => platform.prisma.job.findUniqueOrThrow({ where: { id } }), { what: 'the job to finish', until: (job) => ['succeeded', 'failed'].includes(job.status), timeoutMs: 30_000 });
    expect(done.status).toBe('succeeded');
    const upstream = platform.mock.state.requests.list().find((e) => e.prompt_text.includes('Job about my parcel'));
    expect(upstream?.prompt_text.split('\n')[0]).toBe('v2: be warm with Cy.');

    const bad = await api('/v1/jobs', member.apiKey, 'POST', {
      type: 'chat.completion',
      input: { model: 'default', messages: [{ role: 'user', content: 'x' }], conduit: { prompt: { name, variables: {} } } },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: 'invalid_prompt_variables', param: 'input.conduit.prompt.variables.customer' });
  });
});
