import { randomUUID } from 'node:crypto';
import type { Job } from '@conduit/db';
import { jobIds } from './job-ids';
import { jobWebhookEvent } from './job-lifecycle';
import { toJobObject } from './job-object';

function job(overrides: Partial<Job> = {}): Job {
  const created = new Date('2026-01-01T00:00:00.000Z');
  return {
    id: randomUUID(),
    tenantId: randomUUID(),
    userId: randomUUID(),
    apiKeyId: null,
    type: 'chat.completion',
    status: 'succeeded',
    input: {},
    metadata: { batch: 'nightly' },
    webhookUrl: 'https://hooks.example.com/x',
    idempotencyKey: null,
    requestHash: '0'.repeat(64),
    requestId: 'req-1',
    traceparent: null,
    attempts: 1,
    maxAttempts: 5,
    itemsTotal: 0,
    itemsSucceeded: 0,
    itemsFailed: 0,
    result: { object: 'chat.completion' },
    error: null,
    upstreamMs: 20,
    deadLetteredAt: null,
    createdAt: created,
    updatedAt: created,
    startedAt: new Date(created.getTime() + 1_000),
    finishedAt: new Date(created.getTime() + 2_500),
    cancelledAt: null,
    deadlineAt: new Date(created.getTime() + 3_600_000),
    ...overrides,
  };
}

describe('job objects and events', () => {
  it('maps a row to the public job object with unix-second timestamps', () => {
    const row = job();
    expect(toJobObject(row)).toEqual({
      id: row.id,
      object: 'job',
      type: 'chat.completion',
      status: 'succeeded',
      status_url: `/v1/jobs/${row.id}`,
      metadata: { batch: 'nightly' },
      webhook_url: 'https://hooks.example.com/x',
      attempts: 1,
      max_attempts: 5,
      progress: null,
      result: { object: 'chat.completion' },
      error: null,
      dead_lettered: false,
      created_at: 1767225600,
      started_at: 1767225601,
      finished_at: 1767225602,
      expires_at: 1767229200,
      required_action: null,
    });
  });

  it('names the confirmation a requires_action job waits for, and sends job.requires_action once per confirmation', () => {
    const confirmationId = randomUUID();
    const pending = [{ id: 'call_1', type: 'function', function: { name: 'send_email', arguments: '{}' } }];
    const result = { object: 'chat.completion', conduit: { confirmation_id: confirmationId, pending_tool_calls: pending, expires_at: '2026-01-01T00:15:00.000Z' } };
    const row = job({ status: 'requires_action', finishedAt: null, result });
    expect(toJobObject(row)).toMatchObject({
      status: 'requires_action',
      finished_at: null,
      required_action: { type: 'tool_confirmation', confirmation_id: confirmationId, pending_tool_calls: pending, expires_at: '2026-01-01T00:15:00.000Z' },
    });
    const event = jobWebhookEvent(row);
    expect(event).toMatchObject({ event_type: 'job.requires_action', delivery_id: jobIds.actionWebhookDelivery(row.id, confirmationId) });
    expect(event.delivery_id).not.toBe(jobIds.webhookDelivery(row.id));
    expect(event.occurred_at).toBe(row.updatedAt.toISOString());
    // The same paused answer in a finished job names no action.
    expect(toJobObject({ ...row, status: 'succeeded' }).required_action).toBeNull();
  });

  it('reports batch progress, errors and the dead-letter state', () => {
    const row = job({ type: 'chat.batch', status: 'failed', itemsTotal: 3, itemsSucceeded: 1, itemsFailed: 1, error: { code: 'upstream_unavailable', message: 'down' }, deadLetteredAt: new Date() });
    expect(toJobObject(row)).toMatchObject({ progress: { total: 3, succeeded: 1, failed: 1 }, error: { code: 'upstream_unavailable', message: 'down' }, dead_lettered: true });
  });

  it('builds one event per terminal status, with a delivery id derived from the job id', () => {
    for (const [status, type] of [
      ['succeeded', 'job.succeeded'],
      ['failed', 'job.failed'],
      ['cancelled', 'job.cancelled'],
      ['expired', 'job.expired'],
    ] as const) {
      const row = job({ status });
      const event = jobWebhookEvent(row);
      expect(event).toMatchObject({ delivery_id: jobIds.webhookDelivery(row.id), job_id: row.id, tenant_id: row.tenantId, event_type: type, url: row.webhookUrl });
      expect(event.occurred_at).toBe(row.finishedAt?.toISOString());
    }
    expect(() => jobWebhookEvent(job({ status: 'running' }))).toThrow();
  });

  it('leaves out a result too large for a webhook', () => {
    const event = jobWebhookEvent(job({ result: { text: 'x'.repeat(300_000) } }));
    expect(event.data).toMatchObject({ result: null, result_omitted: true });
  });
});
