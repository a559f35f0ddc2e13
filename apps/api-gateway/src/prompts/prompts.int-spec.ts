import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PrismaService } from '@conduit/db';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser, UserWithKey } from '@conduit/testing';
import { PromptException, PromptStore } from '@conduit/prompts';
import type { Principal } from '../auth/principal';
import { pinJobPrompts } from '../jobs/job-prompts';
import type { CreateJobBody } from '../jobs/jobs.dto';
import { expectApiError } from '../testing/api-error.assertion';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import { PromptsApiModule } from './prompts.module';

describe('prompt templates API (/v1/prompts)', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let admin: TenantWithUser;
  let member: UserWithKey;
  let other: TenantWithUser;
  const tenants: { id: string }[] = [];

  type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
  const call = (method: Method, url: string, auth: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: auth }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const newName = () => `support-${randomBytes(4).toString('hex')}`;
  const VERSION = {
    messages: [{ role: 'system', content: 'You help {{customer.name}} with {{product}}.' }],
    variables: { type: 'object', required: ['customer', 'product'], properties: { customer: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }, product: { type: 'string' } } },
    default_model: 'default',
    params: { temperature: 0.1 },
    commit_message: 'first',
  };
  const PRODUCT_ONLY = { type: 'object', required: ['product'], properties: { product: { type: 'string' } } };
  const withVersions = async (count: number) => {
    const name = newName();
    expect((await call('POST', '/v1/prompts', admin.authHeader, { name, description: 'Support bot' })).statusCode).toBe(201);
    for (let i = 1; i <= count; i += 1) {
      const res = await call('POST', `/v1/prompts/${name}/versions`, admin.authHeader, { ...VERSION, variables: PRODUCT_ONLY, messages: [{ role: 'system', content: `v${i} for {{product}}` }], commit_message: `v${i}` });
      expect(res.statusCode).toBe(201);
    }
    return name;
  };

  beforeAll(async () => {
    app = await createGatewayTestApp([PromptsApiModule], { queuePrefix: `test-${randomBytes(6).toString('hex')}` });
    prisma = app.get(PrismaService);
    admin = await createTenantWithUser(prisma, { role: 'tenant_admin' });
    member = await createUserWithKey(prisma, admin.tenant);
    other = await createTenantWithUser(prisma, { role: 'tenant_admin' });
    tenants.push(admin.tenant, other.tenant);
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await app?.close();
  });

  it('lets tenant admins create templates and versions; members read but may not write', async () => {
    const name = newName();
    expectApiError(await call('POST', '/v1/prompts', member.authHeader, { name }), 403, 'tenant_admin_required');
    const created = await call('POST', '/v1/prompts', admin.authHeader, { name, description: 'Support bot' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ object: 'prompt_template', name, description: 'Support bot', latest_version: null, labels: [] });
    expectApiError(await call('POST', '/v1/prompts', admin.authHeader, { name }), 409, 'prompt_template_exists', 'name');

    expectApiError(await call('POST', `/v1/prompts/${name}/versions`, member.authHeader, VERSION), 403, 'tenant_admin_required');
    const version = await call('POST', `/v1/prompts/${name}/versions`, admin.authHeader, VERSION);
    expect(version.statusCode).toBe(201);
    expect(version.json()).toMatchObject({ object: 'prompt_version', name, version: 1, author_id: admin.user.id, commit_message: 'first', default_model: 'default', params: { temperature: 0.1 } });

    const listed = await call('GET', '/v1/prompts', member.authHeader);
    expect(listed.json<{ data: { name: string; latest_version: number }[] }>().data).toContainEqual(expect.objectContaining({ name, latest_version: 1 }));
    expect((await call('GET', `/v1/prompts/${name}/versions`, member.authHeader)).json<{ data: unknown[] }>().data).toHaveLength(1);
    expect((await call('GET', `/v1/prompts/${name}/versions/1`, member.authHeader)).json()).toMatchObject({ version: 1 });
  });

  it('refuses a version with a broken template or schema, naming the field', async () => {
    const name = await withVersions(0);
    expectApiError(await call('POST', `/v1/prompts/${name}/versions`, admin.authHeader, { messages: [{ role: 'user', content: '{{#open}}' }] }), 400, 'invalid_prompt_template', 'messages[0].content');
    expectApiError(await call('POST', `/v1/prompts/${name}/versions`, admin.authHeader, { messages: [{ role: 'user', content: 'x' }], variables: { type: 7 } }), 400, 'invalid_prompt_template', 'variables');
  });

  it('has no route that edits a version', async () => {
    const name = await withVersions(1);
    for (const method of ['PUT', 'POST', 'DELETE'] as const) {
      expect((await call(method, `/v1/prompts/${name}/versions/1`, admin.authHeader, VERSION)).statusCode).toBe(404);
    }
  });

  it('diffs two versions', async () => {
    const name = await withVersions(2);
    const diff = await call('GET', `/v1/prompts/${name}/diff?from=1&to=2`, member.authHeader);
    expect(diff.statusCode).toBe(200);
    expect(diff.json()).toEqual({
      object: 'prompt_diff',
      name,
      from: 1,
      to: 2,
      changes: [{ path: 'messages[0].content', change: 'changed', from: 'v1 for {{product}}', to: 'v2 for {{product}}' }],
    });
  });

  it('moves labels, rolls back in one call, keeps an audit log, and renders previews with checked variables', async () => {
    const name = await withVersions(2);
    expectApiError(await call('PUT', `/v1/prompts/${name}/labels/production`, member.authHeader, { version: 1 }), 403, 'tenant_admin_required');
    expect((await call('PUT', `/v1/prompts/${name}/labels/production`, admin.authHeader, { version: 2 })).json()).toMatchObject({ name: 'production', version: 2, experiment: null });
    const render = (body: unknown) => call('POST', `/v1/prompts/${name}/render`, member.authHeader, body);
    expect((await render({ variables: { customer: { name: 'Ada' }, product: 'billing' } })).json()).toMatchObject({
      object: 'prompt_render',
      version: 2,
      label: 'production',
      messages: [{ role: 'system', content: 'v2 for billing' }],
    });
    // Rollback: one call.
    expect((await call('PUT', `/v1/prompts/${name}/labels/production`, admin.authHeader, { version: 1 })).statusCode).toBe(200);
    expect((await render({ variables: { product: 'billing' } })).json()).toMatchObject({ version: 1, messages: [{ content: 'v1 for billing' }] });
    expect((await render({ version: 2, variables: { product: 'x' } })).json()).toMatchObject({ version: 2 });

    const events = (await call('GET', `/v1/prompts/${name}/label-events`, member.authHeader)).json<{ data: { action: string; from_version: number | null; to_version: number; actor: string }[] }>().data;
    expect(events.map((e) => [e.action, e.from_version, e.to_version, e.actor])).toEqual([
      ['set', 2, 1, admin.user.id],
      ['set', null, 2, admin.user.id],
    ]);
    expectApiError(await call('PUT', `/v1/prompts/${name}/labels/production`, admin.authHeader, { version: 7 }), 404, 'prompt_version_not_found', 'version');
    expectApiError(await render({ label: 'staging', variables: {} }), 404, 'prompt_label_not_found', 'label');
  });

  it('answers a variable error with 400 invalid_prompt_variables naming the variable', async () => {
    const name = newName();
    await call('POST', '/v1/prompts', admin.authHeader, { name });
    await call('POST', `/v1/prompts/${name}/versions`, admin.authHeader, VERSION);
    await call('PUT', `/v1/prompts/${name}/labels/production`, admin.authHeader, { version: 1 });
    const render = (variables: unknown) => call('POST', `/v1/prompts/${name}/render`, member.authHeader, { variables });
    expectApiError(await render({ product: 'x' }), 400, 'invalid_prompt_variables', 'variables.customer');
    expectApiError(await render({ customer: { name: 3 }, product: 'x' }), 400, 'invalid_prompt_variables', 'variables.customer.name');
  });

  it('runs an A/B experiment on a label and ends it in one call', async () => {
    const name = await withVersions(2);
    await call('PUT', `/v1/prompts/${name}/labels/production`, admin.authHeader, { version: 1 });
    const started = await call('PUT', `/v1/prompts/${name}/labels/production/experiment`, admin.authHeader, { variants: [{ version: 1, weight: 50 }, { version: 2, weight: 50 }] });
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({ experiment: { variants: [{ version: 1, weight: 50 }, { version: 2, weight: 50 }] } });
    const promoted = await call('POST', `/v1/prompts/${name}/labels/production/promote`, admin.authHeader, { version: 2 });
    expect(promoted.json()).toMatchObject({ version: 2, experiment: null });
    expectApiError(await call('POST', `/v1/prompts/${name}/labels/production/promote`, admin.authHeader, { version: 2 }), 400, 'invalid_prompt_template', 'label');
  });

  it("answers 404 to another tenant for every route of a tenant's template", async () => {
    const name = await withVersions(2);
    await call('PUT', `/v1/prompts/${name}/labels/production`, admin.authHeader, { version: 1 });
    const b = other.authHeader;
    const routes: [Method, string, unknown?][] = [
      ['GET', `/v1/prompts/${name}`],
      ['GET', `/v1/prompts/${name}/versions`],
      ['GET', `/v1/prompts/${name}/versions/1`],
      ['GET', `/v1/prompts/${name}/diff?from=1&to=2`],
      ['GET', `/v1/prompts/${name}/label-events`],
      ['POST', `/v1/prompts/${name}/versions`, VERSION],
      ['PUT', `/v1/prompts/${name}/labels/production`, { version: 1 }],
      ['DELETE', `/v1/prompts/${name}/labels/production`],
      ['POST', `/v1/prompts/${name}/render`, { variables: { product: 'x', customer: { name: 'x' } } }],
    ];
    for (const [method, url, body] of routes) expectApiError(await call(method, url, b, body), 404, 'prompt_template_not_found');
    expect((await call('GET', '/v1/prompts', b)).json<{ data: { name: string }[] }>().data.map((t) => t.name)).not.toContain(name);
  });

  it("pins a job's prompt to the version its label resolves to at submit, and checks its variables then", async () => {
    const name = await withVersions(2);
    await call('PUT', `/v1/prompts/${name}/labels/production`, admin.authHeader, { version: 2 });
    const principal = { tenantId: admin.tenant.id, userId: admin.user.id, apiKeyId: null } as unknown as Principal;
    const request = (variables: Record<string, unknown>) => ({ model: 'default', messages: [{ role: 'user' as const, content: 'hi' }], conduit: { prompt: { name, variables } } });
    const store = app.get(PromptStore);
    const single = await pinJobPrompts({ type: 'chat.completion', input: request({ product: 'x' }) } as unknown as CreateJobBody, principal, store);
    expect((single as { conduit: unknown }).conduit).toEqual({ prompt: { name, version: 2, variables: { product: 'x' } } });
    const batch = await pinJobPrompts({ type: 'chat.batch', input: { requests: [{ body: request({ product: 'y' }) }] } } as unknown as CreateJobBody, principal, store);
    expect((batch as { requests: { body: { conduit: unknown } }[] }).requests[0]?.body.conduit).toEqual({ prompt: { name, version: 2, variables: { product: 'y' } } });
    const error = await pinJobPrompts({ type: 'chat.batch', input: { requests: [{ body: request({ product: 'y' }) }, { body: request({}) }] } } as unknown as CreateJobBody, principal, store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptException);
    expect((error as PromptException).details).toEqual({ param: 'input.requests[1].body.conduit.prompt.variables.product' });
  });
});
