import { failedAssertions } from './case-assertions';

const run = (answer: string, latencyMs = 100, costUsd = 0.001) => ({ answer, latencyMs, costUsd });

describe('offline eval case assertions', () => {
  it('checks contains, not-contains and regex', () => {
    expect(failedAssertions({ contains: ['Paris'], not_contains: ['London'], regex: '^The' }, run('The capital is Paris.'))).toEqual([]);
    expect(failedAssertions({ contains: ['Paris'], not_contains: ['London'], regex: '^The' }, run('London, not Paris'))).toEqual(['not_contains "London"', 'regex ^The']);
  });

  it('checks a JSON schema against the parsed answer', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    expect(failedAssertions({ json_schema: schema }, run('{"city":"Paris"}'))).toEqual([]);
    expect(failedAssertions({ json_schema: schema }, run('{"town":"Paris"}'))).toEqual(['json_schema']);
    expect(failedAssertions({ json_schema: schema }, run('Paris'))).toEqual(['json_schema']);
  });

  it('checks citations, latency and cost', () => {
    expect(failedAssertions({ citation_required: true, max_latency_ms: 500, max_cost_usd: 0.01 }, run('Paris [1]'))).toEqual([]);
    expect(failedAssertions({ citation_required: true, max_latency_ms: 50, max_cost_usd: 0.0001 }, run('Paris'))).toEqual([
      'citation_required',
      'max_latency_ms 50 (took 100)',
      'max_cost_usd 0.0001 (cost 0.001)',
    ]);
  });
});
