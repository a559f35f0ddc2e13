import { createColleague, useTestDatabase } from '@conduit/testing';
import { MessageRole } from '@conduit/db';
import { scoreRecord } from '../testing/score.factory';
import { utcDay } from './eval-score.sql';
import { EvalScoreStore } from './eval-score.store';

describe('EvalScoreStore against real Postgres', () => {
  const db = useTestDatabase('eval-scores');
  let store: EvalScoreStore;

  beforeAll(() => {
    store = new EvalScoreStore(db.prisma);
  });

  async function message(owner: { tenantId: string; userId: string }, createdAt = new Date()) {
    const session = await db.prisma.session.create({ data: { tenantId: owner.tenantId, userId: owner.userId, title: 't' } });
    return db.prisma.message.create({ data: { sessionId: session.id, tenantId: owner.tenantId, userId: owner.userId, role: MessageRole.assistant, content: 'a', model: 'model-a', createdAt } });
  }

  it('keeps one score per message and rubric, and recomputes the day aggregate when a score changes', async () => {
    const owner = await db.newOwner();
    const first = await message(owner);
    const second = await message(owner);
    await store.record([scoreRecord(first, { score: 5 }), scoreRecord(second, { score: 3 })]);
    let [aggregate] = await store.listAggregates(owner.tenantId, { rubric: 'helpfulness', from: utcDay(new Date()), to: new Date(Date.now() + 86_400_000), limit: 10 });
    expect(aggregate).toMatchObject({ model: 'model-a', templateVersion: null, n: 2, sum: 8, sumSq: 34 });
    // The same message and rubric again: replaced, not added.
    await store.record([scoreRecord(first, { score: 1 })]);
    [aggregate] = await store.listAggregates(owner.tenantId, { rubric: 'helpfulness', from: utcDay(new Date()), to: new Date(Date.now() + 86_400_000), limit: 10 });
    expect(aggregate).toMatchObject({ n: 2, sum: 4, sumSq: 10 });
    // A score that is no longer ok leaves the aggregate.
    await store.record([scoreRecord(second, { status: 'unparseable', score: null })]);
    [aggregate] = await store.listAggregates(owner.tenantId, { rubric: 'helpfulness', from: utcDay(new Date()), to: new Date(Date.now() + 86_400_000), limit: 10 });
    expect(aggregate).toMatchObject({ n: 1, sum: 1 });
    expect((await store.scoresOf(owner.tenantId, first.id)).get('helpfulness')).toMatchObject({ score: 1, judgeModel: 'judge-model', rubricVersion: 1 });
  });

  it('keeps template versions apart (null is its own slice) and sums totals over days', async () => {
    const owner = await db.newOwner();
    const yesterday = new Date(Date.now() - 86_400_000);
    const rows = [await message(owner, yesterday), await message(owner), await message(owner)];
    await store.record([
      scoreRecord(rows[0], { templateVersion: 'v1', score: 4 }),
      scoreRecord(rows[1], { templateVersion: 'v1', score: 2 }),
      scoreRecord(rows[2], { templateVersion: null, score: 5 }),
    ]);
    const window = { from: utcDay(yesterday), to: new Date(utcDay(new Date()).getTime() + 86_400_000) };
    expect(await store.totals('template_version', window, { tenantId: owner.tenantId })).toEqual([
      { tenantId: owner.tenantId, dimension: 'template_version', subject: 'v1', rubric: 'helpfulness', n: 2, sum: 6, sumSq: 20 },
    ]);
    expect(await store.totals('model', window, { tenantId: owner.tenantId, subject: 'model-a' })).toEqual([
      { tenantId: owner.tenantId, dimension: 'model', subject: 'model-a', rubric: 'helpfulness', n: 3, sum: 11, sumSq: 45 },
    ]);
  });

  it("never shows one tenant's scores to another, and sums today's judge spend", async () => {
    const a = await db.newOwner();
    const b = await db.newOwner();
    const colleague = await createColleague(db.prisma, a);
    await store.record([scoreRecord(await message(a), { costUsd: 0.25 }), scoreRecord(await message(colleague), { costUsd: 0.5 })]);
    expect(await store.listScores(b.tenantId, { limit: 10 })).toEqual([]);
    expect(await store.listScores(a.tenantId, { limit: 10 })).toHaveLength(2);
    expect(await store.listScores(a.tenantId, { userId: colleague.userId, limit: 10 })).toHaveLength(1);
    const [mine] = (await store.listScores(a.tenantId, { limit: 10 })) ?? [];
    // A cursor of another tenant's score names nothing.
    expect(await store.listScores(b.tenantId, { after: mine.id, limit: 10 })).toBeNull();
    expect(await store.judgeSpendSince(a.tenantId, utcDay(new Date()))).toBeCloseTo(0.75, 8);
    expect(await store.judgeSpendSince(b.tenantId, utcDay(new Date()))).toBe(0);
  });
});
