import { createHmac, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import type { ReceivedSpan } from './support/otlp-receiver';
import { ReceivedWebhook, WebhookReceiver } from './support/webhook-receiver';

const llmConfigFile = join(tmpdir(), `conduit-e2e-jobs-llm-${process.pid}.json`);
writeFileSync(
  llmConfigFile,
  JSON.stringify({
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
    breaker: { windowMs: 30_000, buckets: 6, failureThreshold: 0.5, minRequests: 50, openMs: 1_500 },
  }),
);

interface JobObject {
  id: string;
  status: string;
  status_url: string;
  attempts: number;
  started_at: number | null;
  progress: { total: number; succeeded: number; failed: number } | null;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

interface DeliveryObject {
  id: string;
  status: string;
  attempt_count: number;
  attempts: { attempt: number; status_code: number | null; started_at: string; next_retry_at: string | null }[];
}

/**
 * Standard Webhooks verification written from the specification, independent of libs/webhooks:
 * HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<body>" keyed with the base64-decoded part of
 * the whsec_ secret, compared with each space-separated "v1,<base64>" signature.
 */
function verifiesPerSpec(secret: string, webhook: ReceivedWebhook, nowSeconds = Date.now() / 1000): boolean {
  const id = String(webhook.headers['webhook-id'] ?? '');
  const timestamp = String(webhook.headers['webhook-timestamp'] ?? '');
  const signatures = String(webhook.headers['webhook-signature'] ?? '');
  if (!id || !/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${webhook.body}`).digest('base64');
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    return version === 'v1' && signature === expected;
  });
}

jest.setTimeout(30_000);

describe('async jobs end to end: gateway → queue → orchestrator worker → mock upstream → webhooks', () => {
  let platform: ChatPlatform;
  let receiver: WebhookReceiver;
  let alice: TenantWithUser;
  const tenants: TenantWithUser[] = [];

  const api = async <T>(path: string, init: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> } = {}) => {
    const response = await fetch(`${platform.gateway.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${init.key ?? alice.apiKey}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  };
  const chatJob = (content: string, extra: Record<string, unknown> = {}) => ({
    type: 'chat.completion',
    input: { model: 'default', messages: [{ role: 'user', content }] },
    ...extra,
  });
  const waitForJob = async (id: string, statuses: string[], timeoutMs = 20_000, key?: string) =>
    waitFor(async () => (await api<JobObject>(`/v1/jobs/${id}`, { key })).body, {
      what: `job ${id} to be ${statuses.join(' or ')}`,
      until: (job) => statuses.includes(job.status),
      timeoutMs,
    });
  const webhooksTo = (path: string, until: (hits: ReceivedWebhook[]) => boolean, timeoutMs?: number) =>
    waitFor(async () => receiver.on(path), { what: `webhooks to ${path}`, until, timeoutMs });
  /** Nothing left in flight in any queue: what did not happen by now will not happen. */
  const queuesDrained = () => waitFor(() => platform.queues.unfinished(), { what: 'every queue to drain', until: (n) => n === 0, timeoutMs: 20_000 });
  const newTenant = async () => {
    // Tenant admins: they read the tenant's webhook secret (GET /v1/webhooks/secret).
    const owner = await createTenantWithUser(platform.prisma, { role: 'tenant_admin' });
    tenants.push(owner);
    return owner;
  };

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    const webhookEnv = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' };
    platform = await startChatPlatform(
      {
        LLM_CONFIG_FILE: llmConfigFile,
        LLM_MAX_RETRIES: '0',
        LLM_TIMEOUT_MS: '20000',
        JOBS_CONCURRENCY: '1',
        JOBS_LOCK_MS: '2000',
        JOBS_STALLED_INTERVAL_MS: '1000',
        JOBS_CANCEL_POLL_MS: '500',
        JOBS_RETRY_DELAY_MS: '200',
        // The reconciler scans the whole (shared) test database: only rows older than any test run.
        JOBS_RECONCILE_INTERVAL_MS: '5000',
        JOBS_RECONCILE_GRACE_MS: '120000',
      },
      {
        gatewayEnv: webhookEnv,
        // Billing delivers the webhooks. Compressed schedule: ~300 ms, ~600 ms, ... instead of 5 s, 10 s, ...
        billingEnv: { ...webhookEnv, WEBHOOK_RETRY_BASE_MS: '300', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_RECONCILE_INTERVAL_MS: '5000', WEBHOOK_RECONCILE_GRACE_MS: '120000' },
      },
    );
    alice = await newTenant();
  });

  afterAll(async () => {
    if (platform) {
      await removeTenants(platform.prisma, tenants.map((t) => t.tenant));
      await platform.stop();
    }
    await receiver?.stop();
  });

  beforeEach(() => {
    platform.mock.state.faults.clear();
    platform.mock.state.requests.clear();
  });

  it('submit → poll → succeeded with the chat completion as result, billed once as a job', async () => {
    const owner = await newTenant();
    const submitted = await api<JobObject>('/v1/jobs', { method: 'POST', key: owner.apiKey, body: chatJob('Hello jobs') });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ status: 'queued', status_url: `/v1/jobs/${submitted.body.id}` });
    const done = await waitForJob(submitted.body.id, ['succeeded', 'failed'], 20_000, owner.apiKey);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, error: null });
    const result = done.result as { object: string; choices: { message: { content: string } }[]; usage: { completion_tokens: number }; conduit: { session_id: string; message_id: string } };
    expect(result.object).toBe('chat.completion');
    expect(result.choices[0].message.content).toBe('Mock reply: Hello jobs');
    expect(result.usage.completion_tokens).toBeGreaterThan(0);
    const messages = await platform.prisma.message.findMany({ where: { sessionId: result.conduit.session_id } });
    expect(messages.map((m) => m.role).sort()).toEqual(['assistant', 'user']);
    await queuesDrained();
    const usage = await platform.prisma.usageEvent.findMany({ where: { tenantId: owner.tenant.id } });
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ id: result.conduit.message_id, feature: 'job' });
  });

  it('delivers exactly one webhook whose signature verifies with an independent implementation of the spec', async () => {
    const url = receiver.script(`/signed-${randomUUID()}`, [200]);
    const path = new URL(url).pathname;
    const submitted = await api<JobObject>('/v1/jobs', { method: 'POST', body: chatJob('Sign this', { webhook_url: url, metadata: { run: 'e2e' } }) });
    const done = await waitForJob(submitted.body.id, ['succeeded']);
    await webhooksTo(path, (hits) => hits.length >= 1);
    await queuesDrained();
    const hits = receiver.on(path);
    expect(hits).toHaveLength(1);

    const { body: secret } = await api<{ secret: string }>('/v1/webhooks/secret');
    expect(verifiesPerSpec(secret.secret, hits[0])).toBe(true);
    expect(verifiesPerSpec(secret.secret, { ...hits[0], body: hits[0].body.replace('Sign this', 'Forged') })).toBe(false);
    const event = JSON.parse(hits[0].body) as { type: string; timestamp: string; data: JobObject & { metadata: Record<string, string> } };
    expect(event.type).toBe('job.succeeded');
    expect(event.data).toMatchObject({ id: done.id, status: 'succeeded', metadata: { run: 'e2e' } });
    expect(event.data.result).toEqual(done.result);

    const deliveries = await api<{ data: DeliveryObject[] }>(`/v1/jobs/${done.id}/deliveries`);
    expect(deliveries.body.data).toHaveLength(1);
    expect(deliveries.body.data[0]).toMatchObject({ id: hits[0].headers['webhook-id'], status: 'succeeded', attempt_count: 1 });
    expect(deliveries.body.data[0].attempts.map((a) => a.status_code)).toEqual([200]);
  });

  it('retries a receiver that answers 500 twice: three attempts, growing delays, all in the delivery log', async () => {
    const url = receiver.script(`/flaky-${randomUUID()}`, [500, 500, 200]);
    const path = new URL(url).pathname;
    const submitted = await api<JobObject>('/v1/jobs', { method: 'POST', body: chatJob('Retry my webhook', { webhook_url: url }) });
    await waitForJob(submitted.body.id, ['succeeded']);
    await webhooksTo(path, (h) => h.some((hit) => hit.status === 200), 15_000);
    await queuesDrained();
    const hits = receiver.on(path);
    expect(hits.map((h) => h.status)).toEqual([500, 500, 200]);
    expect(new Set(hits.map((h) => h.headers['webhook-id'])).size).toBe(1);
    expect(new Set(hits.map((h) => h.body)).size).toBe(1);
    const gaps = [hits[1].receivedAt - hits[0].receivedAt, hits[2].receivedAt - hits[1].receivedAt];
    expect(gaps[0]).toBeGreaterThanOrEqual(200);

    const deliveries = (await api<{ data: DeliveryObject[] }>(`/v1/jobs/${submitted.body.id}/deliveries`)).body.data;
    expect(deliveries[0].status).toBe('succeeded');
    expect(deliveries[0].attempt_count).toBe(3);
    expect(deliveries[0].attempts.map((a) => a.status_code)).toEqual([500, 500, 200]);
    expect(deliveries[0].attempts[0].next_retry_at).not.toBeNull();
    expect(deliveries[0].attempts[2].next_retry_at).toBeNull();
    // Growing delays, as planned (next_retry_at − started_at): measured gaps on a loaded machine
    // stretch unevenly, so they are only checked never to come early.
    const planned = deliveries[0].attempts.slice(0, 2).map((a) => Date.parse(a.next_retry_at ?? '') - Date.parse(a.started_at));
    expect(planned[1]).toBeGreaterThan(planned[0]);
    const started = deliveries[0].attempts.map((a) => Date.parse(a.started_at));
    expect(started[1]).toBeGreaterThanOrEqual(Date.parse(deliveries[0].attempts[0].next_retry_at ?? '') - 20);
    expect(started[2]).toBeGreaterThanOrEqual(Date.parse(deliveries[0].attempts[1].next_retry_at ?? '') - 20);
  });

  it('survives a worker killed with SIGKILL mid-job: a new worker finishes it once — one result, one webhook, usage counted once', async () => {
    const owner = await newTenant();
    const url = receiver.script(`/killed-${randomUUID()}`, [200]);
    const path = new URL(url).pathname;
    platform.mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { latency_ms: 6_000 }, times: 1 });
    const submitted = await api<JobObject>('/v1/jobs', { method: 'POST', key: owner.apiKey, body: chatJob('Survive the crash', { webhook_url: url }) });
    await waitFor(() => platform.mock.state.requests.list().length, { what: 'the upstream call', until: (n) => n === 1 });
    expect((await api<JobObject>(`/v1/jobs/${submitted.body.id}`, { key: owner.apiKey })).body.status).toBe('running');

    expect(await platform.orchestrator.stop('SIGKILL')).toBe('SIGKILL');
    await platform.startOrchestrator();

    const done = await waitForJob(submitted.body.id, ['succeeded', 'failed'], 30_000, owner.apiKey);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(platform.mock.state.requests.list()).toHaveLength(2);
    const result = done.result as { choices: { message: { content: string } }[]; conduit: { session_id: string; message_id: string } };
    expect(result.choices[0].message.content).toBe('Mock reply: Survive the crash');

    await webhooksTo(path, (hits) => hits.length >= 1, 10_000);
    await queuesDrained();
    expect(receiver.on(path)).toHaveLength(1);
    expect(await platform.prisma.usageEvent.count({ where: { tenantId: owner.tenant.id } })).toBe(1);
    expect(await platform.prisma.message.count({ where: { sessionId: result.conduit.session_id } })).toBe(2);
    expect(await platform.prisma.webhookDelivery.count({ where: { jobId: done.id } })).toBe(1);
  });

  it('replays an Idempotency-Key with the same body and refuses a different body with 409', async () => {
    const key = `e2e-${randomUUID()}`;
    const first = await api<JobObject>('/v1/jobs', { method: 'POST', body: chatJob('Once only'), headers: { 'idempotency-key': key } });
    const replay = await api<JobObject>('/v1/jobs', { method: 'POST', body: chatJob('Once only'), headers: { 'idempotency-key': key } });
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const conflict = await api<{ error: { code: string } }>('/v1/jobs', { method: 'POST', body: chatJob('Something else'), headers: { 'idempotency-key': key } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_key_reused');
    await waitForJob(first.body.id, ['succeeded']);
    expect(await platform.prisma.job.count({ where: { idempotencyKey: key } })).toBe(1);
  });

  it.each([
    ['http://10.1.2.3/hook', /private network address/],
    ['http://169.254.169.254/latest/meta-data/', /cloud metadata address/],
    ['http://[::1]:8080/hook', /loopback address/],
    ['http://192.168.0.10/hook', /private network address/],
  ])('rejects webhook_url %s with a clear error', async (url, message) => {
    const response = await api<{ error: { code: string; message: string; param: string } }>('/v1/jobs', { method: 'POST', body: chatJob('x', { webhook_url: url }) });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'invalid_webhook_url', param: 'webhook_url' });
    expect(response.body.error.message).toMatch(message);
  });

  it('cancel: a queued job never runs; a running job has its upstream call aborted', async () => {
    platform.mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { latency_ms: 10_000 }, times: 1 });
    const running = await api<JobObject>('/v1/jobs', { method: 'POST', body: chatJob('Long running') });
    await waitFor(() => platform.mock.state.requests.list().length, { what: 'the upstream call', until: (n) => n === 1 });
    // One job at a time (JOBS_CONCURRENCY=1): this one waits in the queue.
    const queued = await api<JobObject>('/v1/jobs', { method: 'POST', body: chatJob('Never run me') });
    expect((await api<JobObject>(`/v1/jobs/${queued.body.id}`)).body.status).toBe('queued');

    const cancelledQueued = await api<JobObject>(`/v1/jobs/${queued.body.id}/cancel`, { method: 'POST' });
    expect(cancelledQueued.body).toMatchObject({ status: 'cancelled' });

    const cancelledAt = Date.now();
    const cancelledRunning = await api<JobObject>(`/v1/jobs/${running.body.id}/cancel`, { method: 'POST' });
    expect(cancelledRunning.body.status).toBe('cancelled');
    const upstream = await waitFor(() => platform.mock.state.requests.list()[0], {
      what: 'the upstream call to be aborted',
      until: (entry) => entry?.client_disconnected === true,
      timeoutMs: 5_000,
    });
    // Aborted, not finished: the upstream call would have lasted 10 s. (A loose bound on purpose:
    // on a loaded machine the cancel request alone can take a second.)
    expect(Number(upstream.ended_at) - cancelledAt).toBeLessThan(5_000);

    // The worker has taken the queued job off the queue (and skipped it) once the queue is empty.
    await queuesDrained();
    const after = (await api<JobObject>(`/v1/jobs/${queued.body.id}`)).body;
    expect(after).toMatchObject({ status: 'cancelled', started_at: null, attempts: 0, result: null });
    expect(platform.mock.state.requests.list()).toHaveLength(1);
    expect((await api<JobObject>(`/v1/jobs/${running.body.id}`)).body).toMatchObject({ status: 'cancelled', result: null });
  });

  it('runs a batch, reporting progress and one result per request', async () => {
    const submitted = await api<JobObject>('/v1/jobs', {
      method: 'POST',
      body: {
        type: 'chat.batch',
        input: {
          requests: [
            { custom_id: 'first', body: { model: 'default', messages: [{ role: 'user', content: 'one' }] } },
            { custom_id: 'second', body: { model: 'default', messages: [{ role: 'user', content: 'two' }] } },
            { custom_id: 'third', body: { model: 'default', messages: [{ role: 'user', content: 'three' }] } },
          ],
        },
      },
    });
    const done = await waitForJob(submitted.body.id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(done.progress).toEqual({ total: 3, succeeded: 3, failed: 0 });
    const result = done.result as { data: { custom_id: string; status: string; response: { choices: { message: { content: string } }[] } }[] };
    expect(result.data.map((d) => [d.custom_id, d.status, d.response.choices[0].message.content])).toEqual([
      ['first', 'succeeded', 'Mock reply: one'],
      ['second', 'succeeded', 'Mock reply: two'],
      ['third', 'succeeded', 'Mock reply: three'],
    ]);
  });

  it('carries one trace from the submit request through the queue, the worker and the provider call to the webhook attempt', async () => {
    const url = receiver.script(`/traced-${randomUUID()}`, [200]);
    const path = new URL(url).pathname;
    const submitted = await api<JobObject>('/v1/jobs', { method: 'POST', body: chatJob('Trace me', { webhook_url: url }) });
    const traceId = submitted.headers.get('x-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await waitForJob(submitted.body.id, ['succeeded']);
    await webhooksTo(path, (hits) => hits.length === 1);
    // Each service exports its spans in its own time: wait until every expected one has arrived.
    const expected = {
      'the webhook attempt': (s: ReceivedSpan) => s.name === 'webhook.attempt',
      'the provider call': (s: ReceivedSpan) => s.attributes['gen_ai.provider.name'] !== undefined,
      "the orchestrator's consumer span": (s: ReceivedSpan) => s.service === 'chat-orchestrator' && s.kind === 5,
      'a gateway span': (s: ReceivedSpan) => s.service === 'api-gateway',
      'a billing span': (s: ReceivedSpan) => s.service === 'billing',
    };
    const spans = await waitFor(() => platform.otlp.spans.filter((s) => s.traceId === traceId), {
      what: `spans of trace ${traceId}: ${Object.keys(expected).join(', ')}`,
      until: (found) => Object.values(expected).every((match) => found.some(match)),
      timeoutMs: 15_000,
    });
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['api-gateway', 'chat-orchestrator', 'billing']));
    const attempt = spans.find(expected['the webhook attempt']);
    expect(attempt?.service).toBe('billing');
    expect(attempt?.attributes['conduit.job.id']).toBe(submitted.body.id);
    expect(attempt?.attributes['http.response.status_code']).toBe(200);
  });
});
