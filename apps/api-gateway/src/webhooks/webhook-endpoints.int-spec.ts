import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QueueName, webhookDeliverJobId } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { JobProducer } from '@conduit/queue';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser } from '@conduit/testing';
import { generateWebhookSecret, Resolver, verifyWebhook, webhookHeaders, WebhookEndpoints, WebhookSigningKeys } from '@conduit/webhooks';
import { expectApiError } from '../testing/api-error.assertion';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import type { ListPage } from '../sessions/list-page';
import type { RegisteredEndpointObject } from './webhook-endpoints.dto';
import { SecretsResealer } from './secrets.resealer';
import { WebhooksApiModule } from './webhooks.module';

const resolver: Resolver = async (host) => {
  if (host.endsWith('.example.com')) return [{ address: '93.184.216.34', family: 4 }];
  if (host === 'internal.evil.test') return [{ address: '10.0.0.8', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

describe('webhook endpoints API (/v1/webhook-endpoints)', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let producer: JobProducer;
  let admin: TenantWithUser;
  const queuePrefix = `test-${randomBytes(6).toString('hex')}`;
  const tenants: { id: string }[] = [];

  type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
  const call = (method: Method, url: string, auth: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: auth }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const newAdmin = async () => {
    const owner = await createTenantWithUser(prisma, { role: 'tenant_admin' });
    tenants.push(owner.tenant);
    return owner;
  };
  const create = async (auth: string, body: Record<string, unknown> = {}) => {
    const res = await call('POST', '/v1/webhook-endpoints', auth, { url: `https://hooks.example.com/${randomBytes(4).toString('hex')}`, event_types: ['job.succeeded'], ...body });
    expect(res.statusCode).toBe(201);
    return res.json<RegisteredEndpointObject & { secret: string }>();
  };
  /** Every column of a table's rows of the tenant, as text: what someone reading the database sees. */
  const rawRows = async (table: 'webhook_endpoints' | 'webhook_signing_keys', tenantId: string) => {
    const { rows } = await prisma.pg.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t WHERE tenant_id = $1::uuid`, [tenantId]);
    return rows.map((r) => r.row).join('\n');
  };

  beforeAll(async () => {
    app = await createGatewayTestApp([WebhooksApiModule.register({ policy: { allowHttp: false, allowedCidrs: [] }, resolver })], { queuePrefix });
    prisma = app.get(PrismaService);
    producer = app.get(JobProducer);
    admin = await newAdmin();
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await producer?.queue(QueueName.Webhooks).obliterate({ force: true });
    await app?.close();
  });

  it('only lets tenant admins manage endpoints: a member gets 403 on every route', async () => {
    const endpoint = await create(admin.authHeader);
    const member = await createUserWithKey(prisma, admin.tenant);
    const routes: [Method, string, unknown?][] = [
      ['POST', '/v1/webhook-endpoints', { url: 'https://hooks.example.com/m', event_types: ['job.failed'] }],
      ['GET', '/v1/webhook-endpoints'],
      ['GET', `/v1/webhook-endpoints/${endpoint.id}`],
      ['PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { description: 'mine now' }],
      ['DELETE', `/v1/webhook-endpoints/${endpoint.id}`],
      ['POST', `/v1/webhook-endpoints/${endpoint.id}/rotate`, {}],
      ['POST', `/v1/webhook-endpoints/${endpoint.id}/test`, {}],
    ];
    for (const [method, url, body] of routes) expectApiError(await call(method, url, member.authHeader, body), 403, 'tenant_admin_required');
    expect((await call('GET', `/v1/webhook-endpoints/${endpoint.id}`, admin.authHeader)).json()).toMatchObject({ description: null, enabled: true });
  });

  it('creates, lists, changes and deletes an endpoint; the secret is shown once', async () => {
    const owner = await newAdmin();
    const created = await create(owner.authHeader, { event_types: ['cost.spike', 'budget.threshold', 'cost.spike'], description: 'ops' });
    expect(created).toMatchObject({ object: 'webhook_endpoint', event_types: ['budget.threshold', 'cost.spike'], description: 'ops', enabled: true });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

    const fetched = (await call('GET', `/v1/webhook-endpoints/${created.id}`, owner.authHeader)).json<RegisteredEndpointObject>();
    expect(fetched).not.toHaveProperty('secret');
    const list = (await call('GET', '/v1/webhook-endpoints', owner.authHeader)).json<ListPage<RegisteredEndpointObject>>();
    expect(list.data.map((e) => e.id)).toEqual([created.id]);
    expect(list.data[0]).not.toHaveProperty('secret');

    const patched = await call('PATCH', `/v1/webhook-endpoints/${created.id}`, owner.authHeader, { event_types: ['document.indexed'], enabled: false, url: 'https://hooks.example.com/moved' });
    expect(patched.json()).toMatchObject({ event_types: ['document.indexed'], enabled: false, url: 'https://hooks.example.com/moved', disabled_reason: 'disabled by a tenant admin' });
    expect((await call('PATCH', `/v1/webhook-endpoints/${created.id}`, owner.authHeader, { enabled: true })).json()).toMatchObject({ enabled: true, disabled_reason: null });

    const deleted = await call('DELETE', `/v1/webhook-endpoints/${created.id}`, owner.authHeader);
    expect(deleted.json()).toEqual({ id: created.id, object: 'webhook_endpoint.deleted', deleted: true });
    expectApiError(await call('GET', `/v1/webhook-endpoints/${created.id}`, owner.authHeader), 404, 'webhook_endpoint_not_found', 'id');
    expectApiError(await call('DELETE', `/v1/webhook-endpoints/${created.id}`, owner.authHeader), 404, 'webhook_endpoint_not_found', 'id');
  });

  it('answers 404 for another tenant’s endpoint on every route', async () => {
    const endpoint = await create(admin.authHeader);
    const other = await newAdmin();
    for (const [method, url, body] of [
      ['GET', `/v1/webhook-endpoints/${endpoint.id}`],
      ['PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { description: 'x' }],
      ['DELETE', `/v1/webhook-endpoints/${endpoint.id}`],
      ['POST', `/v1/webhook-endpoints/${endpoint.id}/rotate`, {}],
      ['POST', `/v1/webhook-endpoints/${endpoint.id}/test`, {}],
    ] as [Method, string, unknown?][]) {
      expectApiError(await call(method, url, other.authHeader, body), 404, 'webhook_endpoint_not_found', 'id');
    }
    expect((await call('GET', '/v1/webhook-endpoints', other.authHeader)).json<ListPage<unknown>>().data).toEqual([]);
  });

  it('refuses bad input with stable codes', async () => {
    const post = (body: unknown) => call('POST', '/v1/webhook-endpoints', admin.authHeader, body);
    expectApiError(await post({ url: 'https://hooks.example.com/a', event_types: ['job.exploded'] }), 400, 'invalid_request', 'event_types.0');
    expectApiError(await post({ url: 'https://hooks.example.com/a', event_types: [] }), 400, 'invalid_request', 'event_types');
    expectApiError(await post({ url: 'https://internal.evil.test/a', event_types: ['job.failed'] }), 400, 'invalid_webhook_endpoint_url', 'url');
    expectApiError(await post({ url: 'http://hooks.example.com/a', event_types: ['job.failed'] }), 400, 'invalid_webhook_endpoint_url', 'url');
    expectApiError(await post({ url: 'https://hooks.example.com/a', event_types: ['job.failed'], secret: 'whsec_mine' }), 400, 'invalid_request');
    const existing = await create(admin.authHeader);
    expectApiError(await post({ url: existing.url, event_types: ['job.failed'] }), 409, 'webhook_endpoint_exists', 'url');
    const second = await create(admin.authHeader);
    expectApiError(await call('PATCH', `/v1/webhook-endpoints/${second.id}`, admin.authHeader, { url: existing.url }), 409, 'webhook_endpoint_exists', 'url');
    expectApiError(await call('PATCH', `/v1/webhook-endpoints/${second.id}`, admin.authHeader, {}), 400, 'invalid_request');
    expectApiError(await call('GET', '/v1/webhook-endpoints/not-a-uuid', admin.authHeader), 404, 'webhook_endpoint_not_found', 'id');
  });

  it('registers a job’s implicit endpoint of the same URL instead of adding a second one', async () => {
    const owner = await newAdmin();
    const url = 'https://hooks.example.com/implicit';
    const implicit = await app.get(WebhookEndpoints).ensure(owner.tenant.id, url);
    const created = await create(owner.authHeader, { url });
    expect(created.id).toBe(implicit.id);
    expect(await prisma.webhookEndpoint.count({ where: { tenantId: owner.tenant.id } })).toBe(1);
  });

  it('keeps no plaintext secret in the database; signatures verify with the decrypted secret', async () => {
    const owner = await newAdmin();
    const created = await create(owner.authHeader);
    const rotated = (await call('POST', `/v1/webhook-endpoints/${created.id}/rotate`, owner.authHeader, { grace_period_seconds: 600 })).json<{ secret: string }>();
    const tenantKey = (await call('GET', '/v1/webhooks/secret', owner.authHeader)).json<{ secret: string }>();
    const stored = `${await rawRows('webhook_endpoints', owner.tenant.id)}\n${await rawRows('webhook_signing_keys', owner.tenant.id)}`;
    for (const secret of [created.secret, rotated.secret, tenantKey.secret]) {
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secret.slice('whsec_'.length));
    }
    expect(stored).not.toContain('whsec_');
    const row = await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ secretKeyId: 'dev', previousSecretKeyId: 'dev' });

    // What the worker signs with is the decrypted secret: a receiver holding it verifies.
    const secrets = app.get(WebhookEndpoints).signingSecrets(row) ?? [];
    expect(secrets).toEqual([rotated.secret, created.secret]);
    const message = { id: 'msg_1', timestamp: Math.floor(Date.now() / 1000), body: '{"type":"webhook.test"}' };
    expect(verifyWebhook(message.body, webhookHeaders(message, secrets), rotated.secret)).toBe('msg_1');
  });

  it('seals plaintext secrets left from before encryption at start-up', async () => {
    const owner = await newAdmin();
    const legacy = generateWebhookSecret();
    await prisma.pg.query('INSERT INTO webhook_signing_keys (tenant_id, secret) VALUES ($1::uuid, $2)', [owner.tenant.id, legacy]);
    expect(await rawRows('webhook_signing_keys', owner.tenant.id)).toContain(legacy);
    await app.get(SecretsResealer).onApplicationBootstrap();
    expect(await rawRows('webhook_signing_keys', owner.tenant.id)).not.toContain(legacy.slice('whsec_'.length));
    expect((await app.get(WebhookSigningKeys).get(owner.tenant.id)).secret).toBe(legacy);
  });

  it('rotates with an overlap window during which both secrets sign, and without one on request', async () => {
    const owner = await newAdmin();
    const created = await create(owner.authHeader);
    const res = await call('POST', `/v1/webhook-endpoints/${created.id}/rotate`, owner.authHeader, { grace_period_seconds: 3_600 });
    expect(res.statusCode).toBe(200);
    const rotated = res.json<RegisteredEndpointObject & { secret: string }>();
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previous_secret_expires_at).toBeGreaterThan(Date.now() / 1000 + 3_500);
    const endpoints = app.get(WebhookEndpoints);
    const row = await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } });
    expect(endpoints.signingSecrets(row)).toEqual([rotated.secret, created.secret]);
    expect(endpoints.signingSecrets(row, Date.now() + 3_601_000)).toEqual([rotated.secret]);

    const immediate = (await call('POST', `/v1/webhook-endpoints/${created.id}/rotate`, owner.authHeader, { grace_period_seconds: 0 })).json<RegisteredEndpointObject & { secret: string }>();
    expect(immediate.previous_secret_expires_at).toBeNull();
    expect(endpoints.signingSecrets(await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } }))).toEqual([immediate.secret]);
  });

  it('test-sends through the delivery path, and a deleted endpoint’s pending events are not sent', async () => {
    const owner = await newAdmin();
    const created = await create(owner.authHeader);
    const res = await call('POST', `/v1/webhook-endpoints/${created.id}/test`, owner.authHeader);
    expect(res.statusCode).toBe(202);
    const test = res.json<{ delivery_id: string; event_type: string }>();
    expect(test.event_type).toBe('webhook.test');
    const delivery = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: test.delivery_id } });
    expect(delivery).toMatchObject({ tenantId: owner.tenant.id, url: created.url, eventType: 'webhook.test', status: 'pending', jobId: null });
    const queued = await producer.queue(QueueName.Webhooks).getJob(webhookDeliverJobId(test.delivery_id));
    expect(queued?.data).toMatchObject({ delivery_id: test.delivery_id, url: created.url, event_type: 'webhook.test' });

    await call('DELETE', `/v1/webhook-endpoints/${created.id}`, owner.authHeader);
    expect(await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: test.delivery_id } })).toMatchObject({ status: 'failed', lastError: 'endpoint_deleted' });
  });
});
