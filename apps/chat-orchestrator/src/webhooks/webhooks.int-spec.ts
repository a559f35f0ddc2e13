import { randomUUID } from 'node:crypto';
import { JobName, QueueName, WebhookDeliverInput, uuidFromName, webhookDeliverJobId } from '@conduit/contracts';
import { verifyWebhook, WebhookSigningKeys } from '@conduit/webhooks';
import { createOwner, removeOwners, TestOwner, waitFor } from '../testing/fixtures';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../testing/orchestrator-test-app';
import { TestReceiver } from '../testing/webhook-receiver';
import { WebhookReconciler } from './webhook.reconciler';

jest.setTimeout(30_000);

describe('webhook delivery worker (orchestrator in process, local receivers)', () => {
  let t: OrchestratorTestApp;
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
  /** What another service (billing) does: enqueue only, no row. */
  const send = (input: WebhookDeliverInput) => t.producer.enqueue(JobName.WebhookDeliver, input, { jobId: webhookDeliverJobId(input.delivery_id) });
  const delivery = (id: string) => t.prisma.webhookDelivery.findUnique({ where: { id }, include: { attemptsLog: { orderBy: { attempt: 'asc' } } } });
  const settled = (id: string, timeoutMs = 10_000) =>
    waitFor(
      () => delivery(id),
      (row) => row !== null && row.status !== 'pending',
      timeoutMs,
    );

  beforeAll(async () => {
    receiver = new TestReceiver();
    await receiver.start();
    t = await startOrchestratorTestApp({
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_RETRY_BASE_MS: '100',
      WEBHOOK_MAX_AGE_MS: '1500',
      WEBHOOK_TIMEOUT_MS: '400',
      JOBS_RECONCILE_GRACE_MS: '100',
    });
    owner = await createOwner(t.prisma);
    owners.push(owner);
  });

  afterAll(async () => {
    if (t) {
      await removeOwners(t.prisma, owners);
      await t.close();
    }
    await receiver?.stop();
  });

  it('stores and delivers an event another service enqueued, signed with the tenant secret', async () => {
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
    await waitFor(
      () => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
      (counts) => Object.values(counts).every((n) => n === 0),
    );
    expect(receiver.on(new URL(url).pathname)).toHaveLength(1);
  });

  it('signs with both secrets during a rotation, so receivers holding either one verify', async () => {
    const tenant = await createOwner(t.prisma);
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
    const gaps = attempts.slice(1).map((a, i) => a.startedAt.getTime() - attempts[i].startedAt.getTime());
    for (let i = 1; i < gaps.length; i += 1) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]);
    expect(attempts[attempts.length - 1].startedAt.getTime() - (row?.createdAt.getTime() ?? 0)).toBeLessThanOrEqual(1_500 + 500);
  });

  it('records timeouts and retries them', async () => {
    const path = `/slow-${randomUUID()}`;
    const url = receiver.script(path, [0, 200]);
    const input = event(url);
    await send(input);
    const row = await settled(input.delivery_id);
    expect(row?.status).toBe('succeeded');
    expect(row?.attemptsLog.map((a) => a.errorCode)).toEqual(['timeout', null]);
    expect(row?.attemptsLog[0].durationMs).toBeGreaterThanOrEqual(350);
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
});
