import { useTestDatabase } from '@conduit/testing';
import { EvalAlertStore, NewEvalAlert } from './eval-alert.store';

describe('EvalAlertStore against real Postgres', () => {
  const db = useTestDatabase('eval-alerts');
  let store: EvalAlertStore;

  beforeAll(() => {
    store = new EvalAlertStore(db.prisma);
  });

  const alert = (tenantId: string, dedupeKey: string): NewEvalAlert => ({
    tenantId,
    dimension: 'model',
    subject: 'model-a',
    rubric: 'helpfulness',
    dedupeKey,
    baselineMean: 4,
    baselineN: 40,
    recentMean: 2,
    recentN: 35,
    pValue: 1e-9,
    windowStart: new Date('2026-12-07T00:00:00Z'),
    windowEnd: new Date('2026-12-08T00:00:00Z'),
    details: { test: 'welch_t_one_sided' },
  });

  it('stores an alert once per dedupe key, marks it notified in the caller’s transaction, and lists a tenant’s own only', async () => {
    const owner = db.owner;
    const key = `eval_regression:${owner.tenantId}:model:model-a:helpfulness:2026-12-07`;
    const first = await store.raise(alert(owner.tenantId, key));
    const again = await store.raise(alert(owner.tenantId, key));
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.alert.id).toBe(first.alert.id);
    expect(first.alert.notifiedAt).toBeNull();
    await db.prisma.$transaction((tx) => store.markNotified(first.alert.id, tx));
    expect((await store.list(owner.tenantId, 10)).map((a) => [a.id, a.notifiedAt !== null])).toEqual([[first.alert.id, true]]);
    const other = await db.newOwner();
    expect(await store.list(other.tenantId, 10)).toEqual([]);
  });
});
