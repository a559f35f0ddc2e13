import { randomUUID } from 'node:crypto';
import { JobName, QueueName, WebhookDeliverInput, uuidFromName, webhookDeliverJobId, webhookEventBody } from '@conduit/contracts';
import { createTestOwner, removeTestOwners, TestOwner, waitFor } from '@conduit/testing';
import { JobStore, jobIds, jobWebhookEvent } from '@conduit/jobs';
import { DeliveryStore, verifyWebhook, WebhookEndpoints, WebhookSigningKeys } from '@conduit/webhooks';
import { BillingTestApp, startBillingTestApp } from '../testing/billing-test-app';
import { TestReceiver } from '../testing/webhook-receiver';
import { WebhookReconciler } from './webhook.reconciler';

jest.setTimeout(30_000);

describe('webhook delivery worker (billing in process, local receivers)', () => {
  let t: BillingTestApp;
  let receiver: TestReceiver;
  let owner: TestOwner;
  const owners: TestOwner[] = [];

  const event = (url: string, overrides: Partial<WebhookDeliverInput> = {}): WebhookDeliverInput => ({
    delivery_id: randomUUID(),
    tenant_id: owner.tenantId,
    url,
    event_type: 'budget.threshold_reached',
    data: { threshold_pct: 80, spend_usd: 12.5 },
    occurred_at: new Date().toISOString(),
    ...overrides,
  });
  /** What a producer does: store the delivery (outbox), then enqueue it. */
  const send = async (input: WebhookDeliverInput) => {
    await t.app.get(DeliveryStore).insert([{ event: input }]);
    await enqueueOnly(input);
  };
  /** An event enqueued without a stored delivery (as producers did before the outbox). */
  const enqueueOnly = (input: WebhookDeliverInput) => t.producer.enqueue(JobName.WebhookDeliver, input, { jobId: webhookDeliverJobId(input.delivery_id) });
  const delivery = (id: string) => t.prisma.webhookDelivery.findUnique({ where: { id }, include: { attemptsLog: { orderBy: { attempt: 'asc' } } } });
  const settled = (id: string, timeoutMs = 10_000) =>
    waitFor(() => delivery(id), { what: `delivery ${id} to settle`, until: (row) => row !== null && row.status !== 'pending', timeoutMs });

  /** A job of `owner` with a webhook, finished through the JobStore (which stores its outbox delivery). */
  const finishedJobWithDeliveries = async (url: string, now = new Date()) => {
    const jobs = new JobStore(t.prisma);
    const id = randomUUID();
    await jobs.insert({
      id,
      tenantId: owner.tenantId,
      userId: owner.userId,
      apiKeyId: null,
      type: 'chat.completion',
      input: {},
      metadata: {},
      webhookUrl: url,
      idempotencyKey: null,
      requestHash: '0'.repeat(64),
      requestId: 'req-webhook-test',
      traceparent: null,
      maxAttempts: 1,
      itemsTotal: 0,
      createdAt: now,
      updatedAt: now,
      deadlineAt: new Date(now.getTime() + 60_000),
    });
    const finished = await jobs.finishWithDeliveries(id, { status: 'succeeded', from: ['queued'], result: { object: 'chat.completion' } }, null, now);
    if (!finished) throw new Error('the job should have finished');
    return finished;
  };
  const finishedJob = async (url: string, now = new Date()) => (await finishedJobWithDeliveries(url, now)).job;

  beforeAll(async () => {
    receiver = new TestReceiver();
    await receiver.start();
    t = await startBillingTestApp({
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_RETRY_BASE_MS: '100',
      // Short enough to watch retries and give-ups in seconds, long enough that a loopback
      // receiver on a loaded machine never times out by accident.
      WEBHOOK_MAX_AGE_MS: '4000',
      WEBHOOK_TIMEOUT_MS: '1500',
      WEBHOOK_RECONCILE_GRACE_MS: '100',
    });
    owner = await createTestOwner(t.prisma, 'webhooks-test');
    owners.push(owner);
  });

  afterAll(async () => {
    if (t) {
      await removeTestOwners(t.prisma, owners);
      await t.close();
    }
    await receiver?.stop();
  });

  it('delivers an event a producer stored and enqueued, signed with the tenant secret', async () => {
    const url = receiver.script(`/ok-${randomUUID()}`, [204]);
    const input = event(url);
    await send(input);
    const row = await settled(input.delivery_id);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1, tenantId: owner.tenantId, eventType: 'budget.threshold_reached', lastError: null });
    expect(row?.deliveredAt).not.toBeNull();
    expect(row?.attemptsLog.map((a) => [a.attempt, a.statusCode, a.errorCode])).toEqual([[1, 204, null]]);
    const [hit] = receiver.on(new URL(url).pathname);
    expect(JSON.parse(hit.body)).toEqual({ type: 'budget.threshold_reached', timestamp: input.occurred_at, data: input.data });
    const key = await t.app.get(WebhookSigningKeys).get(owner.tenantId);
    expect(verifyWebhook(hit.body, hit.headers as Record<string, string>, key.secret)).toBe(input.delivery_id);
    // A second enqueue of the same delivery id is ignored.
    await send(input);
    const queue = t.producer.queue(QueueName.Webhooks);
    await waitFor(() => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), { what: 'the queue to drain', until: (counts) => Object.values(counts).every((n) => n === 0) });
    expect(receiver.on(new URL(url).pathname)).toHaveLength(1);
  });

  it('signs with both secrets during a rotation, so receivers holding either one verify', async () => {
    const tenant = await createTestOwner(t.prisma, 'webhooks-test');
    owners.push(tenant);
    const keys = t.app.get(WebhookSigningKeys);
    const before = await keys.get(tenant.tenantId);
    const after = await keys.rotate(tenant.tenantId, 60_000);
    const url = receiver.script(`/rotated-${randomUUID()}`, [200]);
    const input = event(url, { tenant_id: tenant.tenantId });
    await send(input);
    await settled(input.delivery_id);
    const [hit] = receiver.on(new URL(url).pathname);
    expect(String(hit.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyWebhook(hit.body, hit.headers as Record<string, string>, before.secret)).toBe(input.delivery_id);
    expect(verifyWebhook(hit.body, hit.headers as Record<string, string>, after.secret)).toBe(input.delivery_id);
  });

  it('signs a registered endpoint’s deliveries with its own sealed secret, and with both during its rotation', async () => {
    const tenant = await createTestOwner(t.prisma, 'webhooks-test');
    owners.push(tenant);
    const endpoints = t.app.get(WebhookEndpoints);
    const url = receiver.script(`/registered-${randomUUID()}`, [200, 200]);
    const registered = await endpoints.register(tenant.tenantId, { url, eventTypes: ['budget.threshold'], description: null });
    if (!registered) throw new Error('the endpoint should register');
    const first = event(url, { tenant_id: tenant.tenantId, event_type: 'budget.threshold' });
    await send(first);
    await settled(first.delivery_id);
    const tenantKey = await t.app.get(WebhookSigningKeys).get(tenant.tenantId);
    const [hit] = receiver.on(new URL(url).pathname);
    expect(verifyWebhook(hit.body, hit.headers as Record<string, string>, registered.secret)).toBe(first.delivery_id);
    expect(() => verifyWebhook(hit.body, hit.headers as Record<string, string>, tenantKey.secret)).toThrow('no webhook-signature matches');

    const rotated = await endpoints.rotate(tenant.tenantId, registered.endpoint.id, 60_000);
    const second = event(url, { tenant_id: tenant.tenantId, event_type: 'budget.threshold' });
    await send(second);
    await settled(second.delivery_id);
    const during = receiver.on(new URL(url).pathname)[1];
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyWebhook(during.body, during.headers as Record<string, string>, registered.secret)).toBe(second.delivery_id);
    expect(verifyWebhook(during.body, during.headers as Record<string, string>, rotated?.secret ?? '')).toBe(second.delivery_id);
  });

  it('disables an endpoint that answers 410 and sends it nothing more', async () => {
    const url = receiver.script(`/gone-${randomUUID()}`, [410]);
    const first = event(url);
    await send(first);
    expect(await settled(first.delivery_id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'endpoint_gone' });
    const endpoint = await t.prisma.webhookEndpoint.findUniqueOrThrow({ where: { tenantId_url: { tenantId: owner.tenantId, url } } });
    expect(endpoint.disabledAt).not.toBeNull();
    const second = event(url);
    await send(second);
    expect(await settled(second.delivery_id)).toMatchObject({ status: 'failed', attempts: 0, lastError: 'endpoint_disabled' });
    expect(receiver.on(new URL(url).pathname)).toHaveLength(1);
  });

  it('retries on a growing schedule and gives up, marking the delivery failed, once its window is spent', async () => {
    const url = receiver.script(`/down-${randomUUID()}`, [500]);
    const input = event(url);
    await send(input);
    const row = await settled(input.delivery_id, 15_000);
    expect(row?.status).toBe('failed');
    expect(row?.lastError).toMatch(/^gave_up_after_\d+_attempts: http_500$/);
    const attempts = row?.attemptsLog ?? [];
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.every((a) => a.statusCode === 500)).toBe(true);
    expect(attempts[attempts.length - 1].nextRetryAt).toBeNull();
    // The schedule is asserted as planned (next_retry_at − started_at), not as measured gaps, which
    // a loaded machine stretches unevenly; measured gaps are only checked never to come early.
    const planned = attempts.slice(0, -1).map((a) => (a.nextRetryAt?.getTime() ?? 0) - a.startedAt.getTime());
    for (let i = 1; i < planned.length; i += 1) expect(planned[i]).toBeGreaterThan(planned[i - 1]);
    attempts.slice(1).forEach((a, i) => expect(a.startedAt.getTime()).toBeGreaterThanOrEqual((attempts[i].nextRetryAt?.getTime() ?? Infinity) - 20));
    // No retry is planned past the delivery's window (WEBHOOK_MAX_AGE_MS=4000).
    const windowEnd = (row?.createdAt.getTime() ?? 0) + 4_000;
    for (const a of attempts.slice(0, -1)) expect(a.nextRetryAt?.getTime()).toBeLessThanOrEqual(windowEnd);
  });

  it('records timeouts and retries them', async () => {
    const path = `/slow-${randomUUID()}`;
    const url = receiver.script(path, [0, 200]);
    const input = event(url);
    await send(input);
    const row = await settled(input.delivery_id);
    expect(row?.status).toBe('succeeded');
    expect(row?.attemptsLog.map((a) => a.errorCode)).toEqual(['timeout', null]);
    expect(row?.attemptsLog[0].durationMs).toBeGreaterThanOrEqual(1_400);
  });

  it('refuses, at delivery time, a URL outside the policy, without retrying', async () => {
    const input = event('http://10.0.0.1:9/hook');
    await send(input);
    const row = await settled(input.delivery_id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row?.attemptsLog[0]).toMatchObject({ errorCode: 'forbidden_address', statusCode: null });
    expect(row?.attemptsLog[0].errorMessage).toMatch(/10\.0\.0\.1, a private network address/);
  });

  it('re-enqueues a pending delivery that is overdue and not in the queue', async () => {
    const url = receiver.script(`/orphan-${randomUUID()}`, [200]);
    const id = uuidFromName(`orphan:${randomUUID()}`);
    const body = JSON.stringify({ type: 'job.succeeded', timestamp: new Date().toISOString(), data: { id } });
    await t.prisma.webhookDelivery.create({ data: { id, tenantId: owner.tenantId, url, eventType: 'job.succeeded', body, nextAttemptAt: new Date(Date.now() - 60_000) } });
    expect(await t.producer.queue(QueueName.Webhooks).getJobState(webhookDeliverJobId(id))).toBe('unknown');
    expect(await t.app.get(WebhookReconciler).reconcile()).toBeGreaterThanOrEqual(1);
    expect(await settled(id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(receiver.on(new URL(url).pathname)[0].body).toBe(body);
  });

  it('stores and delivers an event enqueued without a stored delivery (queued before outbox rows existed)', async () => {
    const url = receiver.script(`/legacy-${randomUUID()}`, [204]);
    const input = event(url);
    await enqueueOnly(input);
    expect(await settled(input.delivery_id)).toMatchObject({ status: 'succeeded', attempts: 1, tenantId: owner.tenantId });
    expect(JSON.parse(receiver.on(new URL(url).pathname)[0].body)).toMatchObject({ type: 'budget.threshold_reached', data: input.data });
  });

  it("sends a job's outbox delivery with the body of the event it was enqueued with", async () => {
    const url = receiver.script(`/job-${randomUUID()}`, [200]);
    const job = await finishedJob(url);
    const delivery = await t.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: jobIds.webhookDelivery(job.id) } });
    expect(delivery).toMatchObject({ status: 'pending', body: null });
    await enqueueOnly(jobWebhookEvent(job));
    const row = await settled(delivery.id);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1, body: webhookEventBody(jobWebhookEvent(job)) });
    expect(receiver.on(new URL(url).pathname).map((hit) => hit.body)).toEqual([row?.body]);
  });

  it("re-enqueues a job's outbox delivery whose enqueue was lost, rendering its body from the job", async () => {
    const url = receiver.script(`/lost-${randomUUID()}`, [200]);
    const job = await finishedJob(url, new Date(Date.now() - 60_000));
    const id = jobIds.webhookDelivery(job.id);
    expect(await t.producer.queue(QueueName.Webhooks).getJobState(webhookDeliverJobId(id))).toBe('unknown');
    expect(await t.app.get(WebhookReconciler).reconcile()).toBeGreaterThanOrEqual(1);
    expect(await settled(id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    const [hit] = receiver.on(new URL(url).pathname);
    expect(JSON.parse(hit.body)).toMatchObject({ type: 'job.succeeded', data: { id: job.id, status: 'succeeded', result: { object: 'chat.completion' } } });
    expect(hit.body).toBe(webhookEventBody(jobWebhookEvent(job)));
  });

  it('stores a job’s event for every endpoint subscribed to it, in the finish statement, and not for the others', async () => {
    const endpoints = t.app.get(WebhookEndpoints);
    const subscribedUrl = receiver.script(`/subscribed-${randomUUID()}`, [200]);
    const subscribed = await endpoints.register(owner.tenantId, { url: subscribedUrl, eventTypes: ['job.succeeded'], description: null });
    const otherUrl = receiver.script(`/other-${randomUUID()}`, [200]);
    await endpoints.register(owner.tenantId, { url: otherUrl, eventTypes: ['job.failed', 'cost.spike'], description: null });
    if (!subscribed) throw new Error('the endpoint should register');
    const ownUrl = receiver.script(`/own-${randomUUID()}`, [200]);
    const { job, subscribed: stored } = await finishedJobWithDeliveries(ownUrl, new Date(Date.now() - 60_000));
    const rows = await t.prisma.webhookDelivery.findMany({ where: { jobId: job.id } });
    expect(rows.map((row) => row.url).sort()).toEqual([ownUrl, subscribedUrl].sort());
    // The finish answers the subscribed deliveries it stored (its caller enqueues them without reading them back).
    expect(stored).toEqual([{ id: rows.find((row) => row.url === subscribedUrl)?.id, url: subscribedUrl }]);
    // The finish left them for its caller (JobLifecycle) to enqueue; here the reconciler finds them.
    await t.app.get(WebhookReconciler).reconcile();
    const sent = rows.find((row) => row.url === subscribedUrl);
    expect(await settled(sent?.id ?? '')).toMatchObject({ status: 'succeeded', eventType: 'job.succeeded' });
    const [hit] = receiver.on(new URL(subscribedUrl).pathname);
    expect(JSON.parse(hit.body)).toMatchObject({ type: 'job.succeeded', data: { id: job.id, status: 'succeeded' } });
    expect(verifyWebhook(hit.body, hit.headers as Record<string, string>, subscribed.secret)).toBe(sent?.id);
    expect(receiver.on(new URL(otherUrl).pathname)).toEqual([]);
  });
});
