import { evalTurnJobId } from './eval-policy.schema';
import { resolveTenantPolicy } from './tenant-policy.schema';

describe('tenant policy: eval section', () => {
  it('samples 5 % with the built-in rubrics, the worker default judge and a 1 USD daily budget by default', () => {
    expect(resolveTenantPolicy(undefined, 0).eval).toEqual({
      enabled: true,
      sample_rate: 0.05,
      judge_model: null,
      rubrics: ['helpfulness', 'faithfulness', 'safety'],
      daily_budget_usd: 1,
    });
  });

  it('takes a judge model and the tenant’s own rubrics, filling in their defaults', () => {
    const policy = resolveTenantPolicy({ eval: { judge_model: 'cheap', rubrics: ['safety', { name: 'tone', criteria: 'Polite and warm.' }] } }, 1).eval;
    expect(policy.judge_model).toBe('cheap');
    expect(policy.rubrics).toEqual(['safety', { name: 'tone', version: 1, criteria: 'Polite and warm.', rag_only: false }]);
  });

  it.each([
    [{ eval: { sample_rate: 1.5 } }, 'sample_rate'],
    [{ eval: { rubrics: ['helpfulness', 'helpfulness'] } }, 'rubrics'],
    [{ eval: { rubrics: [{ name: 'Bad Name', criteria: 'x' }] } }, 'name'],
    [{ eval: { daily_budget_usd: -1 } }, 'daily_budget_usd'],
    [{ eval: { sampling: 0.1 } }, 'eval'],
  ])('refuses %j, naming %s', (document, field) => {
    expect(() => resolveTenantPolicy(document, 1)).toThrow(field);
  });

  it('derives one job id per message and reason (and rating, for feedback)', () => {
    const id = '0b6f7c3e-63c7-4d0a-9f5e-2f1e5a1d9c11';
    expect(evalTurnJobId(id, 'sampled')).toBe(`eval-${id}-sampled`);
    expect(evalTurnJobId(id, 'thumbs_down', 'down')).not.toBe(evalTurnJobId(id, 'feedback', 'up'));
  });
});
