import { budgetUtilisation } from '@conduit/observability';
import { BudgetUtilisation } from './budget-utilisation';

async function exported(): Promise<Record<string, number>> {
  const values = (await budgetUtilisation.get()).values;
  return Object.fromEntries(values.map((v) => [`${v.labels.tenant}/${v.labels.period}`, v.value]));
}

describe('BudgetUtilisation', () => {
  it('exports only the top N tenant windows by spend / cap, with the latest value of each', async () => {
    const gauge = new BudgetUtilisation(2);
    gauge.record('t-a', 'monthly', 0.2);
    gauge.record('t-b', 'monthly', 0.9);
    gauge.record('t-c', 'daily', 0.5);
    expect(await exported()).toEqual({ 't-b/monthly': 0.9, 't-c/daily': 0.5 });
    gauge.record('t-a', 'monthly', 1.2);
    expect(await exported()).toEqual({ 't-a/monthly': 1.2, 't-b/monthly': 0.9 });
  });
});
