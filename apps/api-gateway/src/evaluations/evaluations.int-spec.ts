import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QueueName } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { EvalScoreStore } from '@conduit/evaluation';
import { scoreRecord } from '@conduit/evaluation/testing';
import { JobProducer } from '@conduit/queue';
import { createMessage, createSession, createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { MessagesModule } from '../messages/messages.module';
import { expectApiError } from '../testing/api-error.assertion';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import { EvaluationsModule } from './evaluations.module';

describe('evaluations API (/v1/evaluations) and thumbs-down sampling', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let producer: JobProducer;
  let store: EvalScoreStore;
  let admin: TenantWithUser;
  const tenants: { id: string }[] = [];
  const queuePrefix = `test-${randomBytes(6).toString('hex')}`;

  const get = (url: string, auth: string) => app.inject({ method: 'GET', url, headers: { authorization: auth } });
  const newAdmin = async () => {
    const owner = await createTenantWithUser(prisma, { role: 'tenant_admin' });
    tenants.push(owner.tenant);
    return owner;
  };
  /** A judged answer of `owner` by `model`, scored `scores` on helpfulness (one message each). */
  const judged = async (owner: TenantWithUser, model: string, scores: number[]) => {
    const session = await createSession(prisma, owner);
    for (const score of scores) {
      const message = await createMessage(prisma, session, { model });
      await store.record([scoreRecord(message, { model, score, judgeModel: 'judge-1', rubricVersion: 3 })]);
    }
  };

  beforeAll(async () => {
    app = await createGatewayTestApp([MessagesModule, EvaluationsModule], { queuePrefix });
    prisma = app.get(PrismaService);
    producer = app.get(JobProducer);
    store = app.get(EvalScoreStore);
    admin = await newAdmin();
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await producer?.queue(QueueName.Eval).obliterate({ force: true });
    await app?.close();
  });

  it('lists scores naming the judge model and rubric version, to tenant admins only; another tenant sees none', async () => {
    await judged(admin, 'model-a', [4, 5]);
    const res = await get('/v1/evaluations/scores?rubric=helpfulness', admin.authHeader);
    expect(res.statusCode).toBe(200);
    const page = res.json<{ data: { judge_model: string; rubric_version: number; score: number; model: string }[] }>();
    expect(page.data).toHaveLength(2);
    expect(page.data[0]).toMatchObject({ judge_model: 'judge-1', rubric_version: 3, model: 'model-a', object: 'evaluation.score' });

    const other = await newAdmin();
    const theirs = await get('/v1/evaluations/scores', other.authHeader);
    expect(theirs.json<{ data: unknown[] }>().data).toEqual([]);
    const aggregates = await get('/v1/evaluations/aggregates', other.authHeader);
    expect(aggregates.json<{ data: unknown[] }>().data).toEqual([]);
    const cursor = page.data[0] as unknown as { id: string };
    expectApiError(await get(`/v1/evaluations/scores?after=${cursor.id}`, other.authHeader), 400, 'invalid_cursor', 'after');

    const member = await createUserWithKey(prisma, admin.tenant);
    for (const route of ['scores', 'aggregates', 'compare?a=x&b=y', 'alerts']) {
      expectApiError(await get(`/v1/evaluations/${route}`, member.authHeader), 403, 'tenant_admin_required');
    }
  });

  it('compares two models per rubric with mean, confidence interval and n', async () => {
    const owner = await newAdmin();
    await judged(owner, 'model-a', [4, 4, 5, 3, 4]);
    await judged(owner, 'model-b', [2, 3, 2, 1, 2]);
    const res = await get('/v1/evaluations/compare?a=model-a&b=model-b&rubric=helpfulness', owner.authHeader);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ rubrics: { rubric: string; a: { mean: number; n: number; ci95: [number, number] }; b: { mean: number; n: number }; difference: { mean: number; ci95: [number, number] } }[] }>();
    expect(body.rubrics).toHaveLength(1);
    const [row] = body.rubrics;
    expect(row.a).toMatchObject({ mean: 4, n: 5 });
    expect(row.a.ci95[0]).toBeLessThan(4);
    expect(row.a.ci95[1]).toBeGreaterThan(4);
    expect(row.b).toMatchObject({ mean: 2, n: 5 });
    expect(row.difference.mean).toBeCloseTo(-2, 10);
    expect(row.difference.ci95[1]).toBeLessThan(0);
    const aggregates = await get('/v1/evaluations/aggregates?model=model-a', owner.authHeader);
    expect(aggregates.json<{ data: { model: string; rubric: string; n: number; mean: number; template_version: null }[] }>().data).toEqual([
      expect.objectContaining({ model: 'model-a', rubric: 'helpfulness', n: 5, mean: 4, template_version: null }),
    ]);
  });

  it('answers bad queries with stable 4xx codes', async () => {
    expectApiError(await get('/v1/evaluations/compare?a=x', admin.authHeader), 400, 'invalid_request');
    expectApiError(await get('/v1/evaluations/aggregates?from=2026-02-01&to=2026-01-01', admin.authHeader), 400, 'invalid_range', 'from');
    expectApiError(await get('/v1/evaluations/scores?status=great', admin.authHeader), 400, 'invalid_request');
  });

  it('hands every thumbs-down to the eval queue', async () => {
    const session = await createSession(prisma, admin);
    const message = await createMessage(prisma, session);
    const res = await app.inject({ method: 'POST', url: `/v1/messages/${message.id}/feedback`, headers: { authorization: admin.authHeader }, payload: { rating: 'down' } });
    expect(res.statusCode).toBe(200);
    const jobs = await waitFor(() => producer.queue(QueueName.Eval).getJobs(['waiting', 'delayed', 'active']), {
      until: (list) => list.some((job) => (job.data as { message_id: string }).message_id === message.id),
      timeoutMs: 10_000,
      what: 'the thumbs-down to be enqueued for evaluation',
    });
    expect(jobs.find((job) => (job.data as { message_id: string }).message_id === message.id)?.data).toEqual({ tenant_id: admin.tenant.id, message_id: message.id, reason: 'thumbs_down' });
  });
});
