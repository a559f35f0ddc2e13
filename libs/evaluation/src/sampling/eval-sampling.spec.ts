import { uuidFromName } from '@conduit/contracts';
import { isGuardrailFlagged, isSampled, sampleShareOf } from './eval-sampling';

describe('eval sampling', () => {
  it('is deterministic: the same id gets the same share and decision every time', () => {
    const id = '0b6f7c3e-63c7-4d0a-9f5e-2f1e5a1d9c11';
    expect(sampleShareOf(id)).toBe(sampleShareOf(id));
    expect(isSampled(id, 0.05)).toBe(isSampled(id, 0.05));
    expect(sampleShareOf(id)).toBeGreaterThanOrEqual(0);
    expect(sampleShareOf(id)).toBeLessThan(1);
  });

  // Fixed ids (uuid v5 of `turn-<i>`), so the test itself is deterministic.
  const messageIds = (count: number, salt = 'turn') => Array.from({ length: count }, (_, i) => uuidFromName(`${salt}-${i}`));

  it.each([0.05, 0.2, 0.5])('samples within ±1 %% of the rate %p over 10,000 message ids', (rate) => {
    const ids = messageIds(10_000);
    const share = ids.filter((id) => isSampled(id, rate)).length / ids.length;
    expect(Math.abs(share - rate)).toBeLessThanOrEqual(0.01);
    // A re-run over the same ids agrees exactly.
    expect(ids.filter((id) => isSampled(id, rate)).length / ids.length).toBe(share);
  });

  it('takes nothing at rate 0 and everything at rate 1', () => {
    const ids = messageIds(500, 'edge');
    expect(ids.filter((id) => isSampled(id, 0))).toEqual([]);
    expect(ids.filter((id) => isSampled(id, 1))).toHaveLength(500);
  });

  it('nests: a message sampled at a lower rate is sampled at every higher rate', () => {
    const ids = messageIds(2_000, 'nest');
    for (const id of ids.filter((candidate) => isSampled(candidate, 0.05))) expect(isSampled(id, 0.2)).toBe(true);
  });

  it('counts a turn as guardrail-flagged when any guard did more than pass', () => {
    expect(isGuardrailFlagged([])).toBe(false);
    expect(isGuardrailFlagged([{ verdict: 'pass' }])).toBe(false);
    expect(isGuardrailFlagged([{ verdict: 'pass' }, { verdict: 'redact' }])).toBe(true);
    expect(isGuardrailFlagged([{ verdict: 'flag' }])).toBe(true);
  });
});
