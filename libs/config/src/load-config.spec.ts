import { z } from 'zod';
import { ConfigValidationError, loadConfig } from './load-config';
import { coreSettings, describeConfig, serviceEnv } from './env.schema';

const schema = z.object(serviceEnv(8080)).transform(coreSettings);
const valid = { DATABASE_URL: 'postgresql://u:p@db:5432/conduit', REDIS_URL: 'redis://cache:6379/0' };

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('builds typed nested settings with defaults', () => {
    const config = loadConfig(schema, valid);
    expect(config.http).toEqual({
      host: '0.0.0.0',
      port: 8080,
      limits: { requestTimeoutMs: 60_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 65_000, maxHeaderBytes: 16_384, maxHeaders: 100 },
    });
    expect(config.database).toEqual({ url: valid.DATABASE_URL, poolSize: 10 });
    expect(config.redis).toEqual({ url: valid.REDIS_URL, prefix: 'conduit', topology: { mode: 'standalone' } });
  });

  it('reads the HTTP limits, capping the headers timeout at the request timeout', () => {
    const config = loadConfig(schema, { ...valid, HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_MAX_HEADERS: '50' });
    expect(config.http.limits).toMatchObject({ requestTimeoutMs: 5_000, headersTimeoutMs: 5_000, maxHeaders: 50 });
    expect(problemsOf({ ...valid, HTTP_REQUEST_TIMEOUT_MS: '0' })[0]).toMatch(/^HTTP_REQUEST_TIMEOUT_MS/);
  });

  it('names a missing required variable', () => {
    expect(problemsOf({ REDIS_URL: valid.REDIS_URL })).toEqual(['DATABASE_URL is required but not set']);
  });

  it('treats an empty variable as missing', () => {
    expect(problemsOf({ ...valid, DATABASE_URL: '' })).toEqual(['DATABASE_URL is required but not set']);
  });

  it('names a malformed variable and says what is wrong', () => {
    const problems = problemsOf({ ...valid, REDIS_URL: 'localhost:6379', PORT: 'eighty' });
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.startsWith('REDIS_URL'))).toContain('redis://');
    expect(problems.find((p) => p.startsWith('PORT'))).toBeDefined();
  });

  it('produces a one-line message', () => {
    try {
      loadConfig(schema, {});
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).toContain('DATABASE_URL');
      expect((error as Error).message).toContain('REDIS_URL');
    }
    expect.assertions(3);
  });
});

describe('describeConfig', () => {
  it('masks secrets and shows the rest', () => {
    const shown = describeConfig(serviceEnv(8080), { ...valid, LOG_LEVEL: 'debug' });
    expect(shown.DATABASE_URL).toBe('***');
    expect(shown.REDIS_URL).toBe('***');
    expect(shown.LOG_LEVEL).toBe('debug');
  });
});
