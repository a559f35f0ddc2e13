import { routingSectionSchema, type RoutingSection } from '@conduit/contracts';
import { scoreComplexity } from './complexity-scorer';
import { decideRoute, routeHeader, type RoutingRequest } from './route-policy';

const TIERS = { small: 'fast', medium: 'balanced', large: 'smart' };
const section = (input: Record<string, unknown>): RoutingSection => routingSectionSchema.parse(input);
const request = (text: string, extra: Partial<RoutingRequest> = {}): RoutingRequest => ({
  messages: [{ role: 'user', content: text }],
  tools: false,
  responseFormat: false,
  apiKeyId: null,
  userTier: null,
  metadata: {},
  template: null,
  ...extra,
});

describe('complexity scorer', () => {
  it('scores trivial questions low and hard code/maths tasks high', () => {
    expect(scoreComplexity(request('Hi, thanks!')).score).toBeLessThan(0.1);
    expect(scoreComplexity(request('What is the capital of France?')).score).toBeLessThan(0.3);
    const hard = scoreComplexity(request('Debug and refactor this function:\n```ts\nfunction f(a) { return a.map((x) => x * 2); }\n```'));
    expect(hard.score).toBeGreaterThanOrEqual(0.6);
    expect(hard.signals).toEqual(expect.arrayContaining(['code', 'hard_task']));
    expect(scoreComplexity(request('Prove that the integral of x^2 from 0 to 1 is 1/3, step by step.')).signals).toEqual(
      expect.arrayContaining(['math', 'hard_task']),
    );
  });

  it('counts tools, depth, length and non-Latin script', () => {
    const plain = scoreComplexity(request('Tell me about tea.')).score;
    expect(scoreComplexity(request('Tell me about tea.', { tools: true })).score).toBeCloseTo(plain + 0.15, 5);
    const deep = Array.from({ length: 12 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'Tell me about tea.' }));
    expect(scoreComplexity({ messages: deep, tools: false, responseFormat: false }).signals).toContain('deep');
    expect(scoreComplexity(request('x '.repeat(8_000))).signals).toContain('long');
    expect(scoreComplexity(request('お茶について教えてください。日本の緑茶の種類は？')).signals).toContain('non_latin');
  });
});

describe('decideRoute', () => {
  it('decides nothing under fixed (the default)', () => {
    expect(decideRoute(section({}), 'default', request('Hello'))).toBeUndefined();
  });

  it('is deterministic: the same request and policy always route the same way', () => {
    const policy = section({ mode: 'complexity', tiers: TIERS });
    const req = request('Design a rate limiter and compare the trade-offs of token bucket vs sliding window.');
    const first = decideRoute(policy, 'default', req);
    for (let i = 0; i < 50; i++) expect(decideRoute(policy, 'default', req)).toEqual(first);
    expect(first).toMatchObject({ mode: 'complexity', requested: 'default', chosen: 'balanced', applied: 'balanced', tier: 'medium' });
    expect(decideRoute(policy, 'default', request('Hi!'))).toMatchObject({ tier: 'small', applied: 'fast' });
  });

  it('keeps the requested alias for a tier with no route', () => {
    expect(decideRoute(section({ mode: 'complexity', tiers: { large: 'smart' } }), 'default', request('Hi!'))).toMatchObject({
      tier: 'small',
      applied: 'default',
    });
  });

  it('applies the first matching rule (order is precedence; a rule ANDs its conditions)', () => {
    const policy = section({
      mode: 'rules',
      tiers: TIERS,
      rules: [
        { name: 'vip-tools', when: { user_tiers: ['enterprise'], tools: true }, route: 'smart' },
        { name: 'support', when: { metadata: { app: 'support' } }, route: 'tier:small' },
        { name: 'long', when: { min_tokens: 1_000 }, route: 'balanced' },
        { name: 'catch-all', route: 'complexity' },
      ],
    });
    // Matches both "support" and "long": the earlier one wins.
    const both = request('y '.repeat(3_000), { metadata: { app: 'support' } });
    expect(decideRoute(policy, 'default', both)).toMatchObject({ applied: 'fast', tier: 'small', reason: 'rule:support' });
    // Enterprise without tools: the first rule's other condition fails.
    const enterprise = request('Hi', { userTier: 'enterprise', metadata: { app: 'support' } });
    expect(decideRoute(policy, 'default', enterprise)?.reason).toBe('rule:support');
    expect(decideRoute(policy, 'default', { ...enterprise, tools: true })).toMatchObject({ applied: 'smart', reason: 'rule:vip-tools' });
    expect(decideRoute(policy, 'default', request('y '.repeat(3_000)))).toMatchObject({ applied: 'balanced', reason: 'rule:long' });
    expect(decideRoute(policy, 'default', request('Hi'))?.reason).toMatch(/^rule:catch-all:/);
    expect(decideRoute(section({ mode: 'rules', rules: [{ when: { templates: ['t'] }, route: 'x' }] }), 'default', request('Hi'))).toMatchObject({
      applied: 'default',
      reason: 'no_match',
    });
  });

  it('shadow mode records the choice but applies the requested alias', () => {
    const decision = decideRoute(section({ mode: 'complexity', shadow: true, tiers: TIERS }), 'default', request('Hi!'));
    if (decision === undefined) throw new Error('no decision');
    expect(decision).toMatchObject({ chosen: 'fast', applied: 'default', shadow: true });
    expect(routeHeader(decision)).toBe(`route=default; mode=complexity; tier=small; score=${decision.score}; reason=trivial; shadow=fast`);
  });

  it('refuses a policy with inverted thresholds or an unknown field', () => {
    expect(() => section({ thresholds: { medium: 0.8, large: 0.2 } })).toThrow(/thresholds.medium/);
    expect(() => section({ mode: 'rules', rules: [{ when: { colour: 'red' }, route: 'x' }] })).toThrow();
  });
});
