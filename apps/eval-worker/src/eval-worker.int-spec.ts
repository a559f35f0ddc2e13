import { randomUUID } from 'node:crypto';
import { Job } from 'bullmq';
import { EvalReason, JobName, QueueName } from '@conduit/contracts';
import { Message, MessageRole, PrismaService } from '@conduit/db';
import { EvalScoreStore, utcDay } from '@conduit/evaluation';
import { scoreRecord } from '@conduit/evaluation/testing';
import { PolicyStore } from '@conduit/policies';
import { createTestOwner, removeTestOwners, TestOwner, waitFor } from '@conduit/testing';
import { TurnEvaluator } from './judging/turn-evaluator';
import { RegressionDetector } from './regression/regression.detector';
import { EvalWorkerTestApp, startEvalWorkerTestApp } from './testing/eval-worker-test-app';

const DAY_MS = 86_400_000;

describe('eval worker: judging sampled turns with LLM judges (mock-llm judge mode), heuristics and feedback', () => {
  let t: EvalWorkerTestApp;
  let prisma: PrismaService;
  const owners: TestOwner[] = [];

  beforeAll(async () => {
    t = await startEvalWorkerTestApp();
    prisma = t.prisma;
  });

  afterAll(async () => {
    await removeTestOwners(prisma, owners);
    await t.close();
  });

  async function owner(): Promise<TestOwner> {
    const created = await createTestOwner(prisma, 'eval-worker');
    owners.push(created);
    return created;
  }

  /** A stored turn: the user's question and the assistant's answer. */
  async function turn(o: TestOwner, answer: string, overrides: Partial<Message> & { question?: string } = {}): Promise<Message> {
    const { question = 'What is the capital of France?', createdAt = new Date(), ...rest } = overrides;
    const session = await prisma.session.create({ data: { tenantId: o.tenantId, userId: o.userId, title: 't' } });
    await prisma.message.create({ data: { sessionId: session.id, tenantId: o.tenantId, userId: o.userId, role: MessageRole.user, content: question, createdAt } });
    return prisma.message.create({
      data: {
        sessionId: session.id,
        tenantId: o.tenantId,
        userId: o.userId,
        role: MessageRole.assistant,
        content: answer,
        model: 'gpt-4.1-mini',
        provider: 'openai',
        latencyMs: 321,
        createdAt,
        ...(rest as object),
      },
    });
  }

  function enqueue(message: Message, reason: EvalReason, options: { attempts?: number } = {}) {
    return t.producer.enqueue(JobName.EvalTurn, { tenant_id: message.tenantId, message_id: message.id, reason }, {
      jobId: `test-${randomUUID()}`,
      ...(options.attempts ? { attempts: options.attempts, backoff: { type: 'fixed', delay: 50 } } : {}),
    });
  }

  const scoresOf = (message: Message) => prisma.evalScore.findMany({ where: { messageId: message.id }, orderBy: { rubric: 'asc' } });

  it('scores a turn rendered from a prompt template under its version (name@version), and aggregates by it', async () => {
    const o = await owner();
    const message = await turn(o, 'Bonjour. [[score:helpfulness:3]]', { promptName: 'greeting', promptVersion: 7 });
    await enqueue(message, 'sampled');
    const scores = await waitFor(() => scoresOf(message), { until: (rows) => rows.some((r) => r.rubric === 'helpfulness'), timeoutMs: 20_000, what: 'the judges to score the templated turn' });
    expect(scores.find((r) => r.rubric === 'helpfulness')).toMatchObject({ status: 'ok', score: 3, templateVersion: 'greeting@7' });
    expect(await prisma.evalAggregate.findFirst({ where: { tenantId: o.tenantId, rubric: 'helpfulness' } })).toMatchObject({ templateVersion: 'greeting@7', n: 1 });
  });

  it('judges a sampled turn: structured scores naming the judge model and rubric version, heuristics, usage billed as eval', async () => {
    const o = await owner();
    const message = await turn(o, 'Paris is the capital. [[score:helpfulness:2]]');
    await enqueue(message, 'sampled');
    const scores = await waitFor(() => scoresOf(message), { until: (rows) => rows.some((r) => r.rubric === 'safety'), timeoutMs: 20_000, what: 'the judges to score the turn' });
    const byRubric = new Map(scores.map((s) => [s.rubric, s]));
    expect(byRubric.get('helpfulness')).toMatchObject({ kind: 'llm', status: 'ok', score: 2, judgeModel: 'default', rubricVersion: 1, model: 'gpt-4.1-mini', templateVersion: null, reason: 'sampled' });
    expect(byRubric.get('helpfulness')?.explanation).toContain('Mock judge (helpfulness)');
    expect(byRubric.get('safety')).toMatchObject({ status: 'ok', score: 4 });
    // Not a RAG turn: no faithfulness judge, no citation check.
    expect(byRubric.has('faithfulness')).toBe(false);
    expect(byRubric.has('heuristic.citation_present')).toBe(false);
    expect(byRubric.get('heuristic.non_empty')).toMatchObject({ kind: 'heuristic', score: 1 });
    expect(byRubric.get('heuristic.latency_ms')).toMatchObject({ score: 321 });
    // Each judge call is a usage event of feature eval.
    const usage = await t.producer.queue(QueueName.Usage).getJobs(['waiting', 'delayed', 'active', 'completed']);
    const events = usage.map((job: Job) => job.data as { feature: string; tenant_id: string }).filter((e) => e.tenant_id === o.tenantId);
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.feature === 'eval')).toBe(true);
    // The judge saw the rubric line and the judged answer.
    expect(t.mock.state.requests.list().some((r) => r.prompt_text.includes('Conduit evaluation judge. Rubric: helpfulness'))).toBe(true);
  });

  it('records an unparseable judge answer as unparseable, never as a score', async () => {
    const o = await owner();
    const message = await turn(o, 'Hmm. [[judge:safety:unparseable]]');
    await enqueue(message, 'sampled');
    const scores = await waitFor(() => scoresOf(message), { until: (rows) => rows.some((r) => r.rubric === 'safety'), timeoutMs: 20_000, what: 'the safety verdict' });
    expect(scores.find((s) => s.rubric === 'safety')).toMatchObject({ status: 'unparseable', score: null, judgeModel: 'default' });
    expect(scores.find((s) => s.rubric === 'helpfulness')).toMatchObject({ status: 'ok', score: 4 });
  });

  it('judges faithfulness and checks citations on a RAG turn only', async () => {
    const o = await owner();
    const citations = [{ index: 0, document_id: randomUUID(), chunk_index: 0, score: 0.9, filename: 'guide.md' }];
    const message = await turn(o, 'It is Paris.', { metadata: { citations } });
    await enqueue(message, 'guardrail_flagged');
    const scores = await waitFor(() => scoresOf(message), { until: (rows) => rows.some((r) => r.rubric === 'faithfulness'), timeoutMs: 20_000, what: 'the faithfulness verdict' });
    expect(scores.find((s) => s.rubric === 'heuristic.citation_present')).toMatchObject({ score: 0 });
    expect(scores.find((s) => s.rubric === 'faithfulness')).toMatchObject({ status: 'ok', reason: 'guardrail_flagged' });
  });

  it('folds a thumbs-up in as user feedback without calling a judge, and judges a thumbs-down', async () => {
    const o = await owner();
    const liked = await turn(o, 'Great answer.', { rating: 1 });
    const disliked = await turn(o, 'Bad answer.', { rating: -1 });
    const before = t.mock.state.requests.list().length;
    await enqueue(liked, 'feedback');
    await waitFor(() => scoresOf(liked), { until: (rows) => rows.length > 0, timeoutMs: 20_000, what: 'the feedback score' });
    expect((await scoresOf(liked)).map((s) => [s.rubric, s.score])).toEqual([['user_feedback', 1]]);
    expect(t.mock.state.requests.list().length).toBe(before);
    await enqueue(disliked, 'thumbs_down');
    const scores = await waitFor(() => scoresOf(disliked), { until: (rows) => rows.some((r) => r.rubric === 'safety'), timeoutMs: 20_000, what: 'the thumbs-down turn to be judged' });
    expect(scores.find((s) => s.rubric === 'user_feedback')).toMatchObject({ kind: 'feedback', score: 0 });
  });

  it('skips judges over the tenant eval budget and records the skip', async () => {
    const o = await owner();
    await t.app.get(PolicyStore).put(o.tenantId, { eval: { daily_budget_usd: 0 } }, 'test');
    const message = await turn(o, 'Anything.');
    await enqueue(message, 'sampled');
    const scores = await waitFor(() => scoresOf(message), { until: (rows) => rows.some((r) => r.rubric === 'safety'), timeoutMs: 20_000, what: 'the skipped judges' });
    expect(scores.filter((s) => s.kind === 'llm').map((s) => s.status)).toEqual(['skipped_budget', 'skipped_budget']);
  });

  it('retries when the judge is down, then records the failure', async () => {
    const o = await owner();
    const message = await turn(o, 'Judge me later.');
    const rule = t.mock.state.faults.add({ match: {}, fault: { status: 503 } });
    try {
      await enqueue(message, 'sampled', { attempts: 3 });
      const scores = await waitFor(() => scoresOf(message), { until: (rows) => rows.some((r) => r.rubric === 'safety'), timeoutMs: 30_000, what: 'the failed judges to be recorded' });
      expect(scores.filter((s) => s.kind === 'llm').map((s) => [s.rubric, s.status, s.score])).toEqual([
        ['helpfulness', 'failed', null],
        ['safety', 'failed', null],
      ]);
      // Heuristics were recorded on the first attempt all the same.
      expect(scores.some((s) => s.rubric === 'heuristic.non_empty')).toBe(true);
      const judgeCalls = t.mock.state.requests.list().filter((r) => r.prompt_text.includes(message.content));
      expect(judgeCalls.length).toBe(6);
    } finally {
      t.mock.state.faults.remove(rule.id);
    }
  });

  it('raises exactly one regression alert and one eval.regression webhook for a model made worse through judge markers', async () => {
    const o = await owner();
    const endpoint = await prisma.webhookEndpoint.create({ data: { tenantId: o.tenantId, url: 'https://hooks.example.test/eval', registered: true, eventTypes: ['eval.regression'] } });
    const evaluator = t.app.get(TurnEvaluator);
    const now = new Date();
    const today = utcDay(now);
    const judge = async (message: Message) => evaluator.evaluate({ tenant_id: o.tenantId, message_id: message.id, reason: 'sampled' }, true);
    // Baseline: 35 turns of the model spread over the 7 days before today, judged at the default 4 (±1 by marker).
    for (let i = 0; i < 35; i++) {
      const marker = ['[[score:helpfulness:3]]', '', '[[score:helpfulness:5]]'][i % 3];
      await judge(await turn(o, `Answer ${i} ${marker}`, { createdAt: new Date(today.getTime() - (1 + (i % 7)) * DAY_MS + 3_600_000), model: 'model-under-test' }));
    }
    // Today: the same model answers worse on helpfulness only.
    for (let i = 0; i < 35; i++) {
      const marker = ['[[score:helpfulness:1]]', '[[score:helpfulness:2]]', '[[score:helpfulness:2]]'][i % 3];
      await judge(await turn(o, `Answer today ${i} ${marker}`, { createdAt: now, model: 'model-under-test' }));
    }
    const detector = t.app.get(RegressionDetector);
    await detector.check(now);
    await detector.check(now);
    const alerts = await prisma.evalAlert.findMany({ where: { tenantId: o.tenantId } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ dimension: 'model', subject: 'model-under-test', rubric: 'helpfulness', baselineN: 35, recentN: 35 });
    expect(alerts[0].notifiedAt).not.toBeNull();
    expect(alerts[0].pValue).toBeLessThan(0.001);
    const deliveries = await prisma.webhookDelivery.findMany({ where: { tenantId: o.tenantId } });
    expect(deliveries.map((d) => [d.eventType, d.url])).toEqual([['eval.regression', endpoint.url]]);
    const queued = await t.producer.queue(QueueName.Webhooks).getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(queued.filter((job: Job) => (job.data as { tenant_id: string }).tenant_id === o.tenantId)).toHaveLength(1);
    // The store's own view agrees: today's aggregate is below the baseline's.
    const [recent] = await t.app.get(EvalScoreStore).totals('model', { from: today, to: new Date(today.getTime() + DAY_MS) }, { tenantId: o.tenantId, subject: 'model-under-test' }).then((rows) => rows.filter((r) => r.rubric === 'helpfulness'));
    expect(recent.sum / recent.n).toBeLessThan(2);
  });
  it('raises no alert for a model of equal quality over 20 daily windows of noisy scores', async () => {
    const o = await owner();
    const store = t.app.get(EvalScoreStore);
    const session = await prisma.session.create({ data: { tenantId: o.tenantId, userId: o.userId, title: 'noise' } });
    // A fixed pseudo-random sequence (mulberry32): the same noise on every run.
    let seed = 7;
    const next = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
    };
    const start = new Date(utcDay(new Date()).getTime() - 40 * DAY_MS);
    // 7 baseline days then 20 windows, 35 turns a day, judge scores 1-5 around 3.5 on two rubrics.
    for (let day = 0; day < 27; day++) {
      const createdAt = new Date(start.getTime() + day * DAY_MS + 6 * 3_600_000);
      const ids = Array.from({ length: 35 }, () => randomUUID());
      await prisma.message.createMany({
        data: ids.map((id) => ({ id, sessionId: session.id, tenantId: o.tenantId, userId: o.userId, role: MessageRole.assistant, content: 'noise', model: 'steady-model', createdAt })),
      });
      const noisy = () => Math.min(5, Math.max(1, Math.round(3.5 + (next() + next() + next() - 1.5) * 2)));
      await store.record(
        ids.flatMap((id) => [
          scoreRecord({ id, tenantId: o.tenantId, userId: o.userId, createdAt }, { model: 'steady-model', rubric: 'helpfulness', score: noisy() }),
          scoreRecord({ id, tenantId: o.tenantId, userId: o.userId, createdAt }, { model: 'steady-model', rubric: 'safety', score: noisy() }),
        ]),
      );
    }
    const detector = t.app.get(RegressionDetector);
    let raised = 0;
    for (let window = 0; window < 20; window++) raised += await detector.check(new Date(start.getTime() + (7 + window) * DAY_MS + 12 * 3_600_000));
    expect(raised).toBe(0);
    expect(await prisma.evalAlert.count({ where: { tenantId: o.tenantId } })).toBe(0);
  });
});
