import { z } from 'zod';
import { ConfigValidationError, loadConfig } from './load-config';
import { coreSettings, serviceEnv } from './env.schema';

const schema = z.object(serviceEnv(8080)).transform(coreSettings);
const base = { DATABASE_URL: 'postgresql://u:p@db:5432/conduit', REDIS_URL: 'redis://:secret@cache:6379/0' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, { ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('REDIS_MODE', () => {
  it('is standalone by default', () => {
    expect(loadConfig(schema, base).redis.topology).toEqual({ mode: 'standalone' });
  });

  it('cluster: seeds from REDIS_CLUSTER_NODES, or REDIS_URL when unset', () => {
    expect(loadConfig(schema, { ...base, REDIS_MODE: 'cluster' }).redis.topology).toEqual({ mode: 'cluster', nodes: [{ host: 'cache', port: 6379 }] });
    expect(loadConfig(schema, { ...base, REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: 'r1:7000, r2:7001,r3.example:7002' }).redis.topology).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'r1', port: 7000 },
        { host: 'r2', port: 7001 },
        { host: 'r3.example', port: 7002 },
      ],
    });
  });

  it('sentinel: the sentinels and the master name', () => {
    expect(
      loadConfig(schema, { ...base, REDIS_MODE: 'sentinel', REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_MASTER: 'conduit', REDIS_SENTINEL_PASSWORD: 'pw' }).redis.topology,
    ).toEqual({ mode: 'sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], master: 'conduit', sentinelPassword: 'pw' });
  });

  it.each([
    [{ REDIS_MODE: 'replicated' }, 'REDIS_MODE'],
    [{ REDIS_MODE: 'sentinel' }, 'REDIS_SENTINELS is required when REDIS_MODE=sentinel'],
    [{ REDIS_MODE: 'cluster', REDIS_URL: 'redis://cache:6379/7' }, 'Redis Cluster has only database 0'],
    [{ REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: 'r1' }, 'comma-separated list of host:port'],
    [{ REDIS_CLUSTER_NODES: 'r1:7000' }, 'need REDIS_MODE=cluster or REDIS_MODE=sentinel'],
    [{ REDIS_MODE: 'sentinel', REDIS_SENTINELS: 's1:26379', REDIS_CLUSTER_NODES: 'r1:7000' }, 'REDIS_CLUSTER_NODES is for REDIS_MODE=cluster'],
  ])('refuses %j at start-up, naming the variable', (env, problem) => {
    expect(problemsOf(env).join('; ')).toContain(problem);
  });
});
