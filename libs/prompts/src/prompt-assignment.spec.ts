import { randomUUID } from 'node:crypto';
import { assignVariant, bucketOf, variantAt } from './prompt-assignment';
import type { PromptExperiment } from './prompt.types';

const TENANT = '7d0c5a8e-0000-4000-8000-000000000001';
const USERS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

function experiment(variants: [number, number][], id = 'exp-1'): PromptExperiment {
  return { id, variants: variants.map(([version, weight]) => ({ version, weight })), startedAt: new Date(0).toISOString() };
}

function shares(exp: PromptExperiment): Map<number, number> {
  const counts = new Map<number, number>();
  for (const user of USERS) {
    const version = assignVariant(exp, TENANT, user);
    counts.set(version, (counts.get(version) ?? 0) + 1);
  }
  return new Map([...counts].map(([version, count]) => [version, count / USERS.length]));
}

describe('A/B assignment (consistent bucketing by a hash of tenant, user and experiment)', () => {
  it.each([
    ['50/50', [[1, 50], [2, 50]]],
    ['90/10', [[1, 90], [2, 10]]],
    ['three ways 20/30/50', [[1, 2], [2, 3], [3, 5]]],
  ] as [string, [number, number][]][])('splits 10,000 synthetic users within ±3 %% of the weights (%s)', (_name, variants) => {
    const got = shares(experiment(variants));
    const total = variants.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [version, weight] of variants) expect(Math.abs((got.get(version) ?? 0) - weight / total)).toBeLessThanOrEqual(0.03);
  });

  it('gives a user the same version every time (across sessions and processes: nothing but the hash decides)', () => {
    const exp = experiment([[1, 50], [2, 50]]);
    for (const user of USERS.slice(0, 200)) {
      const first = assignVariant(exp, TENANT, user);
      for (let i = 0; i < 3; i += 1) expect(assignVariant({ ...exp, variants: exp.variants.map((v) => ({ ...v })) }, TENANT, user)).toBe(first);
    }
  });

  it('moves only about 10 % of users when 50/50 becomes 60/40, all of them towards the version that grew', () => {
    const before = experiment([[1, 50], [2, 50]]);
    const after = experiment([[1, 60], [2, 40]]);
    let moved = 0;
    for (const user of USERS) {
      const [was, is] = [assignVariant(before, TENANT, user), assignVariant(after, TENANT, user)];
      if (was !== is) {
        moved += 1;
        expect([was, is]).toEqual([2, 1]);
      }
    }
    expect(Math.abs(moved / USERS.length - 0.1)).toBeLessThanOrEqual(0.02);
  });

  it('splits independently per experiment and per tenant (another experiment reshuffles)', () => {
    const a = experiment([[1, 50], [2, 50]], 'exp-a');
    const b = experiment([[1, 50], [2, 50]], 'exp-b');
    const same = USERS.filter((user) => assignVariant(a, TENANT, user) === assignVariant(b, TENANT, user)).length / USERS.length;
    expect(Math.abs(same - 0.5)).toBeLessThanOrEqual(0.03);
    expect(bucketOf(TENANT, 'u', 'e')).not.toBe(bucketOf(randomUUID(), 'u', 'e'));
  });

  it('lays variants out in order over [0, 1)', () => {
    const exp = experiment([[3, 1], [7, 3]]);
    expect(variantAt(exp, 0)).toBe(3);
    expect(variantAt(exp, 0.2499)).toBe(3);
    expect(variantAt(exp, 0.25)).toBe(7);
    expect(variantAt(exp, 0.9999)).toBe(7);
  });
});
