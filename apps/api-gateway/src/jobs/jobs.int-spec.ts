import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { AsyncJobObject, QueueName, jobExecuteJobId, webhookDeliverJobId } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { jobCancelChannel, jobIds } from '@conduit/jobs';
import { JobProducer } from '@conduit/queue';
import type { Resolver } from '@conduit/webhooks';
import { expectApiError } from '../testing/api-error.assertion';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser } from '@conduit/testing';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import { PriceQuoteServer, startPriceQuoteServer } from '../testing/price-quote-server';
import { usageTestModule } from '../testing/usage-test-module';
import type { ListPage } from '../sessions/list-page';
import { WebhooksApiModule } from '../webhooks/webhooks.module';
import type { WebhookDeliveryObject } from './jobs.dto';
import { JobsModule } from './jobs.module';

const chat = (content = 'Hello async') => ({ model: 'default', messages: [{ role: 'user', content }] });

/** Public names resolve to public addresses; the "evil" ones to the places SSRF wants to reach. */
const resolver: Resolver = async (host) => {
  const table: Record<string, string[]> = {
    'hooks.example.com': ['93.184.216.34'],
    'loopback.evil.test': ['127.0.0.1'],
    'private.evil.test': ['10.0.0.8'],
    'metadata.evil.test': ['169.254.169.254'],
    'v6loop.evil.test': ['::1'],
  };
  const addresses = table[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('jobs API', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let producer: JobProducer;
  let alice: TenantWithUser;
  let quotes: PriceQuoteServer;
  const internalToken = randomBytes(16).toString('hex');
  const queuePrefix = `test-${randomBytes(6).toString('hex')}`;
  const tenants: { id: string }[] = [];

  const call = (method: 'GET' | 'POST', url: string, auth: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method, url, headers: { authorization: auth, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const submit = (auth: string, body: unknown, headers: Record<string, string> = {}) => call('POST', '/v1/jobs', auth, body, headers);
  // Tenant admins: they also manage the tenant's webhook secret and endpoints.
  const newTenant = async () => {
    const owner = await createTenantWithUser(prisma, { role: 'tenant_admin' });
    tenants.push(owner.tenant);
    return owner;
  };

  beforeAll(async () => {
    // `default` is free: admission runs (see jobs-admission.int-spec.ts) but never refuses these jobs.
    quotes = await startPriceQuoteServer(
      { default: { priced: true, input_usd_per_mtok: 0, output_usd_per_mtok: 0, default_max_output_tokens: 4_096, history_max_tokens: 0 } },
      internalToken,
    );
    app = await createGatewayTestApp(
      [
        JobsModule.register(
          {
            jobs: { maxAttempts: 3, retryDelayMs: 1_000, defaultTimeoutS: 600, maxTimeoutS: 3_600 },
            webhookPolicy: { allowHttp: false, allowedCidrs: [] },
            maxTokensLimit: 4_096,
            resolver,
          },
          usageTestModule({ prefix: queuePrefix, quotesUrl: quotes.url, internalToken }),
        ),
        WebhooksApiModule.register({ policy: { allowHttp: false, allowedCidrs: [] }, resolver }),
      ],
      { queuePrefix },
    );
    prisma = app.get(PrismaService);
    producer = app.get(JobProducer);
    alice = await newTenant();
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await producer?.queue(QueueName.Jobs).obliterate({ force: true });
    await producer?.queue(QueueName.Webhooks).obliterate({ force: true });
    await app?.close();
    await quotes?.close();
  });

  describe('submit and poll', () => {
    it('answers 202 at once with the queued job, stores it and enqueues its execution', async () => {
      const res = await submit(alice.authHeader, { type: 'chat.completion', input: chat(), metadata: { batch: 'nightly' }, timeout_seconds: 120 });
      expect(res.statusCode).toBe(202);
      const job = res.json<AsyncJobObject>();
      expect(job).toMatchObject({ object: 'job', type: 'chat.completion', status: 'queued', status_url: `/v1/jobs/${job.id}`, metadata: { batch: 'nightly' } });
      expect(job).toMatchObject({ attempts: 0, max_attempts: 3, result: null, error: null, dead_lettered: false, started_at: null, progress: null });
      expect(job.expires_at - job.created_at).toBe(120);
      expect(res.headers.location).toBe(job.status_url);
      const row = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      expect(row).toMatchObject({ tenantId: alice.tenant.id, userId: alice.user.id, status: 'queued', requestId: res.headers['x-request-id'] });
      const queued = await producer.queue(QueueName.Jobs).getJob(jobExecuteJobId(job.id));
      expect(queued?.data).toEqual({ job_id: job.id, tenant_id: alice.tenant.id });
      expect(queued?.opts.attempts).toBe(3);

      const polled = await call('GET', job.status_url, alice.authHeader);
      expect(polled.statusCode).toBe(200);
      expect(polled.json()).toEqual(job);
    });

    it('accepts a batch and reports its size as progress', async () => {
      const res = await submit(alice.authHeader, {
        type: 'chat.batch',
        input: { requests: [{ custom_id: 'a', body: chat('one') }, { custom_id: 'b', body: chat('two') }, { body: chat('three') }] },
      });
      expect(res.statusCode).toBe(202);
      expect(res.json<AsyncJobObject>().progress).toEqual({ total: 3, succeeded: 0, failed: 0 });
    });

    it.each([
      ['an unknown type', { type: 'image.render', input: {} }, 'type'],
      ['streaming', { type: 'chat.completion', input: { ...chat(), stream: true } }, 'input.stream'],
      ['an invalid chat body', { type: 'chat.completion', input: { model: 'default', messages: [] } }, 'input.messages'],
      ['an empty batch', { type: 'chat.batch', input: { requests: [] } }, 'input.requests'],
      ['duplicate custom ids', { type: 'chat.batch', input: { requests: [{ custom_id: 'x', body: chat() }, { custom_id: 'x', body: chat() }] } }, 'input.requests.1.custom_id'],
      ['unknown fields', { type: 'chat.completion', input: chat(), priority: 'high' }, null],
      ['a deadline beyond the maximum', { type: 'chat.completion', input: chat(), timeout_seconds: 7_200 }, 'timeout_seconds'],
    ])('rejects %s with 400', async (_name, body, param) => {
      const res = await submit(alice.authHeader, body);
      const error = expectApiError(res, 400, 'invalid_request');
      if (param) expect(error.error.param).toBe(param);
    });

    it.each([
      ['a chat body', { type: 'chat.completion', input: { ...chat(), store: true } }, 'input.store'],
      ['a batch request', { type: 'chat.batch', input: { requests: [{ body: chat() }, { body: { ...chat(), prediction: {} } }] } }, 'input.requests.1.body.prediction'],
    ])('refuses an unknown field of %s with 400 unsupported_parameter naming it, as chat does', async (_name, body, param) => {
      const error = expectApiError(await submit(alice.authHeader, body), 400, 'unsupported_parameter');
      expect(error.error.param).toBe(param);
    });

    it('applies the chat max_tokens limit to every request', async () => {
      const res = await submit(alice.authHeader, { type: 'chat.batch', input: { requests: [{ body: chat() }, { body: { ...chat(), max_tokens: 100_000 } }] } });
      expectApiError(res, 400, 'max_tokens_too_large', 'input.requests.1.body.max_tokens');
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the same job for the same key and body (whatever the key order), without a second enqueue', async () => {
      const key = `key-${randomUUID()}`;
      const first = await submit(alice.authHeader, { type: 'chat.completion', input: chat('idem'), metadata: { a: '1' } }, { 'idempotency-key': key });
      const replay = await submit(alice.authHeader, { metadata: { a: '1' }, input: { messages: [{ content: 'idem', role: 'user' }], model: 'default' }, type: 'chat.completion' }, { 'idempotency-key': key });
      expect(first.statusCode).toBe(202);
      expect(replay.statusCode).toBe(202);
      expect(replay.json<AsyncJobObject>().id).toBe(first.json<AsyncJobObject>().id);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(await prisma.job.count({ where: { tenantId: alice.tenant.id, idempotencyKey: key } })).toBe(1);
    });

    it('answers 409 when the key was used with a different body', async () => {
      const key = `key-${randomUUID()}`;
      await submit(alice.authHeader, { type: 'chat.completion', input: chat('first body') }, { 'idempotency-key': key });
      const conflict = await submit(alice.authHeader, { type: 'chat.completion', input: chat('second body') }, { 'idempotency-key': key });
      expectApiError(conflict, 409, 'idempotency_key_reused', 'idempotency-key');
    });

    it('creates one job when the same key races', async () => {
      const key = `key-${randomUUID()}`;
      const answers = await Promise.all(Array.from({ length: 6 }, () => submit(alice.authHeader, { type: 'chat.completion', input: chat('race') }, { 'idempotency-key': key })));
      expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(202));
      expect(new Set(answers.map((a) => a.json<AsyncJobObject>().id)).size).toBe(1);
      expect(await prisma.job.count({ where: { tenantId: alice.tenant.id, idempotencyKey: key } })).toBe(1);
    });

    it('scopes keys to the user: another user may reuse a key', async () => {
      const key = `key-${randomUUID()}`;
      const colleague = await createUserWithKey(prisma, alice.tenant);
      const mine = await submit(alice.authHeader, { type: 'chat.completion', input: chat('mine') }, { 'idempotency-key': key });
      const theirs = await submit(colleague.authHeader, { type: 'chat.completion', input: chat('theirs') }, { 'idempotency-key': key });
      expect(theirs.statusCode).toBe(202);
      expect(theirs.json<AsyncJobObject>().id).not.toBe(mine.json<AsyncJobObject>().id);
    });

    it('rejects a malformed key', async () => {
      expectApiError(await submit(alice.authHeader, { type: 'chat.completion', input: chat() }, { 'idempotency-key': 'has space' }), 400, 'invalid_idempotency_key');
    });
  });

  describe('webhook URL safety (strict policy)', () => {
    it.each([
      ['https://127.0.0.1/hook', /127\.0\.0\.1, a loopback address/],
      ['https://10.0.0.1/hook', /10\.0\.0\.1, a private network address/],
      ['https://10.200.3.4:8443/hook', /a private network address/],
      ['https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254, a cloud metadata address/],
      ['https://[::1]/hook', /::1, a loopback address/],
      ['https://loopback.evil.test/hook', /loopback\.evil\.test resolves to 127\.0\.0\.1, a loopback address/],
      ['https://private.evil.test/hook', /private\.evil\.test resolves to 10\.0\.0\.8, a private network address/],
      ['https://metadata.evil.test/hook', /resolves to 169\.254\.169\.254, a cloud metadata address/],
      ['https://v6loop.evil.test/hook', /resolves to ::1, a loopback address/],
      ['https://localhost/hook', /loopback/],
      ['http://hooks.example.com/hook', /must use https/],
      ['https://nowhere.example.com/hook', /does not resolve/],
    ])('refuses %s with a clear error', async (url, message) => {
      const res = await submit(alice.authHeader, { type: 'chat.completion', input: chat(), webhook_url: url });
      const body = expectApiError(res, 400, 'invalid_webhook_url', 'webhook_url');
      expect(body.error.message).toMatch(message);
    });

    it('accepts an https URL whose host resolves to public addresses', async () => {
      const res = await submit(alice.authHeader, { type: 'chat.completion', input: chat(), webhook_url: 'https://hooks.example.com/conduit' });
      expect(res.statusCode).toBe(202);
      expect(res.json<AsyncJobObject>().webhook_url).toBe('https://hooks.example.com/conduit');
    });

    it('refuses an endpoint that was disabled by a 410 until it is enabled again', async () => {
      const url = `https://hooks.example.com/gone-${randomUUID()}`;
      const endpoint = await prisma.webhookEndpoint.create({ data: { tenantId: alice.tenant.id, url, disabledAt: new Date(), disabledReason: 'receiver answered 410' } });
      expectApiError(await submit(alice.authHeader, { type: 'chat.completion', input: chat(), webhook_url: url }), 409, 'webhook_endpoint_disabled', 'webhook_url');
      const enabled = await call('POST', `/v1/webhooks/endpoints/${endpoint.id}/enable`, alice.authHeader);
      expect(enabled.json()).toMatchObject({ id: endpoint.id, disabled: false });
      expect((await submit(alice.authHeader, { type: 'chat.completion', input: chat(), webhook_url: url })).statusCode).toBe(202);
    });
  });

  describe('ownership', () => {
    it('hides a job from everyone but its owner, as if it did not exist', async () => {
      const job = (await submit(alice.authHeader, { type: 'chat.completion', input: chat('private') })).json<AsyncJobObject>();
      const colleague = await createUserWithKey(prisma, alice.tenant);
      const outsider = await newTenant();
      for (const stranger of [colleague, outsider]) {
        for (const [method, path] of [
          ['GET', ''],
          ['POST', '/cancel'],
          ['GET', '/deliveries'],
        ] as const) {
          expectApiError(await call(method, `/v1/jobs/${job.id}${path}`, stranger.authHeader), 404, 'job_not_found', 'id');
        }
        const list = (await call('GET', '/v1/jobs?limit=100', stranger.authHeader)).json<ListPage<AsyncJobObject>>();
        expect(list.data.map((j) => j.id)).not.toContain(job.id);
      }
      expect((await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('queued');
      expectApiError(await call('GET', '/v1/jobs/not-a-uuid', alice.authHeader), 404, 'job_not_found');
    });

    it('lists the caller\'s jobs newest first, paginated and filtered by status', async () => {
      const owner = await newTenant();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push((await submit(owner.authHeader, { type: 'chat.completion', input: chat(`n${i}`) })).json<AsyncJobObject>().id);
      await prisma.job.update({ where: { id: ids[1] }, data: { status: 'succeeded', finishedAt: new Date() } });
      const first = (await call('GET', '/v1/jobs?limit=3', owner.authHeader)).json<ListPage<AsyncJobObject>>();
      expect(first.data.map((j) => j.id)).toEqual([ids[4], ids[3], ids[2]]);
      expect(first.has_more).toBe(true);
      const second = (await call('GET', `/v1/jobs?limit=3&after=${first.last_id}`, owner.authHeader)).json<ListPage<AsyncJobObject>>();
      expect(second.data.map((j) => j.id)).toEqual([ids[1], ids[0]]);
      expect(second.has_more).toBe(false);
      const succeeded = (await call('GET', '/v1/jobs?status=succeeded', owner.authHeader)).json<ListPage<AsyncJobObject>>();
      expect(succeeded.data.map((j) => j.id)).toEqual([ids[1]]);
      expectApiError(await call('GET', '/v1/jobs?status=done', owner.authHeader), 400, 'invalid_request', 'status');
      expectApiError(await call('GET', `/v1/jobs?after=${randomUUID()}`, owner.authHeader), 400, 'invalid_cursor', 'after');
    });
  });

  describe('cancel', () => {
    it('cancels a queued job: it leaves the queue and never starts', async () => {
      const job = (await submit(alice.authHeader, { type: 'chat.completion', input: chat('cancel me') })).json<AsyncJobObject>();
      expect(await producer.queue(QueueName.Jobs).getJob(jobExecuteJobId(job.id))).toBeDefined();
      const res = await call('POST', `/v1/jobs/${job.id}/cancel`, alice.authHeader);
      expect(res.statusCode).toBe(200);
      expect(res.json<AsyncJobObject>()).toMatchObject({ id: job.id, status: 'cancelled', started_at: null, finished_at: expect.any(Number) });
      expect(await producer.queue(QueueName.Jobs).getJob(jobExecuteJobId(job.id))).toBeUndefined();
      // Cancelling again is harmless.
      expect((await call('POST', `/v1/jobs/${job.id}/cancel`, alice.authHeader)).json<AsyncJobObject>().status).toBe('cancelled');
    });

    it('announces the cancellation of a running job to the workers', async () => {
      const job = (await submit(alice.authHeader, { type: 'chat.completion', input: chat('running') })).json<AsyncJobObject>();
      await prisma.job.update({ where: { id: job.id }, data: { status: 'running', startedAt: new Date(), attempts: 1 } });
      const subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
      try {
        const heard = new Promise<string>((resolve) => subscriber.on('message', (_channel, message: string) => resolve(message)));
        await subscriber.subscribe(jobCancelChannel(queuePrefix));
        const res = await call('POST', `/v1/jobs/${job.id}/cancel`, alice.authHeader);
        expect(res.json<AsyncJobObject>().status).toBe('cancelled');
        await expect(heard).resolves.toBe(job.id);
      } finally {
        subscriber.disconnect();
      }
    });

    it('refuses to cancel a finished job', async () => {
      const job = (await submit(alice.authHeader, { type: 'chat.completion', input: chat('done') })).json<AsyncJobObject>();
      await prisma.job.update({ where: { id: job.id }, data: { status: 'succeeded', finishedAt: new Date(), result: { ok: true } } });
      expectApiError(await call('POST', `/v1/jobs/${job.id}/cancel`, alice.authHeader), 409, 'job_not_cancellable', 'id');
      expect((await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('succeeded');
    });

    it('sends the cancelled event to a job\'s webhook', async () => {
      const job = (await submit(alice.authHeader, { type: 'chat.completion', input: chat(), webhook_url: 'https://hooks.example.com/cancelled' })).json<AsyncJobObject>();
      await call('POST', `/v1/jobs/${job.id}/cancel`, alice.authHeader);
      const deliveryId = jobIds.webhookDelivery(job.id);
      const queued = await producer.queue(QueueName.Webhooks).getJob(webhookDeliverJobId(deliveryId));
      expect(queued?.data).toMatchObject({
        delivery_id: deliveryId,
        tenant_id: alice.tenant.id,
        job_id: job.id,
        url: 'https://hooks.example.com/cancelled',
        event_type: 'job.cancelled',
        data: { id: job.id, status: 'cancelled' },
      });
    });
  });

  describe('deliveries', () => {
    it('lists a job\'s deliveries with their attempts, and redelivers a finished one', async () => {
      const job = (await submit(alice.authHeader, { type: 'chat.completion', input: chat(), webhook_url: 'https://hooks.example.com/log' })).json<AsyncJobObject>();
      const id = jobIds.webhookDelivery(job.id);
      const created = new Date(Date.now() - 5_000);
      await prisma.webhookDelivery.create({
        data: { id, tenantId: alice.tenant.id, jobId: job.id, url: 'https://hooks.example.com/log', eventType: 'job.succeeded', body: JSON.stringify({ type: 'job.succeeded', timestamp: created.toISOString(), data: { id: job.id } }), status: 'failed', attempts: 2, lastError: 'http_500', createdAt: created },
      });
      await prisma.webhookDeliveryAttempt.createMany({
        data: [
          { deliveryId: id, attempt: 1, startedAt: new Date(created.getTime() + 10), durationMs: 12, statusCode: 500, errorCode: 'http_500', errorMessage: 'receiver answered 500', nextRetryAt: new Date(created.getTime() + 1_000) },
          { deliveryId: id, attempt: 2, startedAt: new Date(created.getTime() + 1_010), durationMs: 9, statusCode: 500, errorCode: 'http_500', errorMessage: 'receiver answered 500' },
        ],
      });
      const list = (await call('GET', `/v1/jobs/${job.id}/deliveries`, alice.authHeader)).json<ListPage<WebhookDeliveryObject>>();
      expect(list.data).toHaveLength(1);
      expect(list.data[0]).toMatchObject({ id, status: 'failed', attempt_count: 2, event_type: 'job.succeeded' });
      expect(list.data[0].attempts.map((a) => [a.attempt, a.status_code, a.error?.code])).toEqual([
        [1, 500, 'http_500'],
        [2, 500, 'http_500'],
      ]);

      const redelivered = await call('POST', `/v1/jobs/${job.id}/deliveries/${id}/redeliver`, alice.authHeader);
      expect(redelivered.statusCode).toBe(202);
      expect(redelivered.json<WebhookDeliveryObject>()).toMatchObject({ id, status: 'pending', redeliveries: 1, attempt_count: 2 });
      const queued = await producer.queue(QueueName.Webhooks).getJob(webhookDeliverJobId(id, 1));
      expect(queued?.data).toMatchObject({ delivery_id: id, series: 1, event_type: 'job.succeeded' });
      expectApiError(await call('POST', `/v1/jobs/${job.id}/deliveries/${id}/redeliver`, alice.authHeader), 409, 'delivery_in_progress');
      expectApiError(await call('POST', `/v1/jobs/${job.id}/deliveries/${randomUUID()}/redeliver`, alice.authHeader), 404, 'delivery_not_found');
    });
  });

  describe('webhook secret', () => {
    it('creates a tenant secret on first use and rotates it with a grace period', async () => {
      const owner = await newTenant();
      const first = (await call('GET', '/v1/webhooks/secret', owner.authHeader)).json<{ secret: string; previous_secret: string | null }>();
      expect(first.secret).toMatch(/^whsec_/);
      expect(first.previous_secret).toBeNull();
      expect((await call('GET', '/v1/webhooks/secret', owner.authHeader)).json<{ secret: string }>().secret).toBe(first.secret);
      expect((await call('GET', '/v1/webhooks/secret', alice.authHeader)).json<{ secret: string }>().secret).not.toBe(first.secret);

      const rotated = await call('POST', '/v1/webhooks/secret/rotate', owner.authHeader, { grace_period_seconds: 3_600 });
      expect(rotated.statusCode).toBe(200);
      const body = rotated.json<{ secret: string; previous_secret: string; previous_expires_at: number }>();
      expect(body.secret).not.toBe(first.secret);
      expect(body.previous_secret).toBe(first.secret);
      expect(body.previous_expires_at).toBeGreaterThan(Date.now() / 1000 + 3_500);

      const immediate = (await call('POST', '/v1/webhooks/secret/rotate', owner.authHeader, { grace_period_seconds: 0 })).json<{ previous_secret: string | null }>();
      expect(immediate.previous_secret).toBeNull();
      expectApiError(await call('POST', '/v1/webhooks/secret/rotate', owner.authHeader, { grace_period_seconds: -1 }), 400, 'invalid_request', 'grace_period_seconds');
    });

    it('is a tenant admin’s: a member of the tenant gets 403 reading or rotating it, or listing endpoints', async () => {
      const owner = await newTenant();
      const member = await createUserWithKey(prisma, owner.tenant);
      expectApiError(await call('GET', '/v1/webhooks/secret', member.authHeader), 403, 'tenant_admin_required');
      expectApiError(await call('POST', '/v1/webhooks/secret/rotate', member.authHeader, {}), 403, 'tenant_admin_required');
      expectApiError(await call('GET', '/v1/webhooks/endpoints', member.authHeader), 403, 'tenant_admin_required');
    });
  });
});
