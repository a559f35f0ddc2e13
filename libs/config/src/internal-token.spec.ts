import { z } from 'zod';
import { baseEnv } from './env.schema';
import { internalTokenEnv, requireInternalTokenInProduction } from './internal-token';
import { ConfigValidationError, loadConfig } from './load-config';

const schema = z.object({ NODE_ENV: baseEnv.NODE_ENV, ...internalTokenEnv }).superRefine(requireInternalTokenInProduction);

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
}

describe('INTERNAL_TOKEN', () => {
  it('is required with NODE_ENV=production, with a message naming it', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([expect.stringContaining('INTERNAL_TOKEN')]);
    expect(problems({ NODE_ENV: 'production', INTERNAL_TOKEN: 'x'.repeat(32) })).toEqual([]);
  });

  it('may be left out elsewhere (the orchestrator then refuses every internal call)', () => {
    expect(problems({ NODE_ENV: 'development' })).toEqual([]);
    expect(problems({ NODE_ENV: 'test' })).toEqual([]);
  });

  it('must be at least 16 characters', () => {
    expect(problems({ NODE_ENV: 'development', INTERNAL_TOKEN: 'short' })).toEqual([expect.stringContaining('INTERNAL_TOKEN')]);
  });
});
