import { ConfigValidationError, loadConfig } from '@conduit/config';
import { billingConfigSchema } from './billing.config';

const required = { DATABASE_URL: 'postgresql://u:p@db:5432/conduit', REDIS_URL: 'redis://cache:6379/0' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(billingConfigSchema, env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('billing configuration: usage worker concurrency', () => {
  it('processes 64 usage events at once by default, so ledger batches can form', () => {
    expect(loadConfig(billingConfigSchema, required).usage.concurrency).toBe(64);
  });

  it('takes USAGE_CONCURRENCY from the environment', () => {
    expect(loadConfig(billingConfigSchema, { ...required, USAGE_CONCURRENCY: '128' }).usage.concurrency).toBe(128);
  });

  it.each(['0', '257', '1.5', 'many'])('refuses USAGE_CONCURRENCY=%s, naming the variable', (value) => {
    const problems = problemsOf({ ...required, USAGE_CONCURRENCY: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^USAGE_CONCURRENCY /);
  });
});
