import { FaultRuleStore, type FaultTarget } from './fault-rule.store';

const target = (overrides: Partial<FaultTarget> = {}): FaultTarget => ({
  wire: 'anthropic',
  path: '/v1/messages',
  model: 'claude-sonnet-4-6',
  stream: false,
  ...overrides,
});

describe('FaultRuleStore', () => {
  it('matches on wire, model glob, path glob and stream', () => {
    const store = new FaultRuleStore();
    store.add({ match: { wire: 'anthropic', model: 'claude-*', path: '/v1/*', stream: true }, fault: { status: 503 } });
    expect(store.take(target({ stream: true }))?.fault.status).toBe(503);
    expect(store.take(target({ stream: false }))).toBeUndefined();
    expect(store.take(target({ stream: true, wire: 'openai' }))).toBeUndefined();
    expect(store.take(target({ stream: true, model: 'gpt-4o' }))).toBeUndefined();
    expect(store.take(target({ stream: true, model: null }))).toBeUndefined();
    expect(store.take(target({ stream: true, path: '/other' }))).toBeUndefined();
  });

  it('matches everything with an empty match', () => {
    const store = new FaultRuleStore();
    store.add({ fault: { latency_ms: 5 } });
    expect(store.take(target({ wire: 'openai', model: null }))?.fault.latency_ms).toBe(5);
  });

  it('applies a rule `times` times, then drops it', () => {
    const store = new FaultRuleStore();
    const rule = store.add({ fault: { status: 500 }, times: 2 });
    expect(rule).toMatchObject({ times: 2, remaining: 2, hits: 0 });
    expect(store.take(target())?.id).toBe(rule.id);
    expect(store.take(target())?.id).toBe(rule.id);
    expect(store.take(target())).toBeUndefined();
    expect(store.list()).toEqual([]);
  });

  it('keeps unlimited rules and counts hits', () => {
    const store = new FaultRuleStore();
    store.add({ fault: { type: 'timeout' } });
    store.take(target());
    store.take(target());
    expect(store.list()[0]).toMatchObject({ times: null, remaining: null, hits: 2 });
  });

  it('uses the first matching rule in insertion order', () => {
    const store = new FaultRuleStore();
    store.add({ match: { model: 'gpt-*' }, fault: { status: 429 } });
    store.add({ fault: { status: 500 }, times: 1 });
    store.add({ fault: { status: 503 } });
    expect(store.take(target())?.fault.status).toBe(500);
    expect(store.take(target())?.fault.status).toBe(503);
    expect(store.take(target({ model: 'gpt-4o' }))?.fault.status).toBe(429);
  });

  it('removes by id and clears', () => {
    const store = new FaultRuleStore();
    const first = store.add({ fault: { status: 500 } });
    store.add({ fault: { status: 503 } });
    expect(store.remove(first.id)).toBe(true);
    expect(store.remove(first.id)).toBe(false);
    expect(store.list().map((rule) => rule.fault.status)).toEqual([503]);
    expect(store.clear()).toBe(1);
    expect(store.size).toBe(0);
  });

  it.each([
    [{ fault: {} }],
    [{ fault: { status: 200 } }],
    [{ fault: { status: 503, type: 'timeout' } }],
    [{ fault: { type: 'explode' } }],
    [{ fault: { after: 3 } }],
    [{ fault: { retry_after: 1 } }],
    [{ fault: { status: 500 }, times: 0 }],
    [{ fault: { status: 500 }, match: { wire: 'gemini' } }],
    [{ fault: { latencyMs: 5 } }],
  ])('rejects invalid rule %j', (input) => {
    const store = new FaultRuleStore();
    expect(() => store.add(input as never)).toThrow();
    expect(store.size).toBe(0);
  });
});
