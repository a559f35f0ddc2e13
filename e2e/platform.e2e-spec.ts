import { waitFor } from '@conduit/testing';
import { RunningService, ServiceName, startReady, spawnService } from './support/service-process';
import { proxyFor, TcpProxy } from './support/tcp-proxy';

const databaseUrl = () => process.env.DATABASE_URL ?? '';
const redisUrl = () => process.env.REDIS_URL ?? '';

async function readiness(service: RunningService) {
  const response = await fetch(`${service.url}/health/ready`);
  return { status: response.status, body: (await response.json()) as { status: string; error: Record<string, { message?: string }> } };
}

describe('platform: every service boots on real Postgres and Redis', () => {
  const running: RunningService[] = [];
  afterAll(async () => {
    await Promise.all(running.map((service) => service.stop('SIGKILL')));
  });

  it.each<ServiceName>(['api-gateway', 'chat-orchestrator', 'ingestion-worker', 'eval-worker', 'billing', 'mock-llm'])(
    '%s reports ready, answers liveness, exports metrics and stops cleanly on SIGTERM',
    async (name) => {
      const service = await startReady(name);
      running.push(service);
      const live = await fetch(`${service.url}/health`);
      expect(live.status).toBe(200);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toContain('# TYPE conduit_http_request_duration_seconds histogram');
      expect(await service.stop('SIGTERM')).toBe(0);
    },
  );
});

describe('platform: readiness names the dependency that is down', () => {
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let billing: RunningService;

  beforeAll(async () => {
    pgProxy = proxyFor(databaseUrl(), 5432);
    redisProxy = proxyFor(redisUrl(), 6379);
    await pgProxy.open();
    await redisProxy.open();
    billing = await startReady('billing', { DATABASE_URL: pgProxy.rewrite(databaseUrl()), REDIS_URL: redisProxy.rewrite(redisUrl()) });
  });

  afterAll(async () => {
    await billing?.stop('SIGKILL');
    await pgProxy?.close();
    await redisProxy?.close();
  });

  it('answers 503 naming postgres while Postgres is unreachable, and recovers', async () => {
    await pgProxy.close();
    const down = await waitFor(() => readiness(billing), { what: 'readiness 503 with Postgres down', until: (r) => r.status === 503 });
    expect(Object.keys(down.body.error)).toEqual(['postgres']);
    expect((await fetch(`${billing.url}/health`)).status).toBe(200);
    await pgProxy.open();
    await waitFor(() => readiness(billing), { what: 'readiness 200 with Postgres back', until: (r) => r.status === 200 });
  });

  it('answers 503 naming redis while Redis is unreachable, and recovers', async () => {
    await redisProxy.close();
    const down = await waitFor(() => readiness(billing), { what: 'readiness 503 with Redis down', until: (r) => r.status === 503 });
    expect(Object.keys(down.body.error)).toEqual(['redis']);
    await redisProxy.open();
    await waitFor(() => readiness(billing), { what: 'readiness 200 with Redis back', until: (r) => r.status === 200, timeoutMs: 15_000 });
  });
});

describe('platform: configuration is validated at start-up', () => {
  it('exits non-zero with one line naming a missing variable', async () => {
    const service = await spawnService('api-gateway', { DATABASE_URL: undefined });
    expect(await service.exited).toBe(78);
    const lines = service.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe('api-gateway: invalid configuration: DATABASE_URL is required but not set');
  });

  it.each(['api-gateway', 'chat-orchestrator'] as const)('%s refuses to start with NODE_ENV=production and no INTERNAL_TOKEN (issue 13)', async (name) => {
    const service = await spawnService(name, { NODE_ENV: 'production', INTERNAL_TOKEN: undefined });
    expect(await service.exited).toBe(78);
    // The gateway also names SECRETS_KEK (required in production too); each missing setting is listed.
    expect(service.output().trim()).toMatch(new RegExp(`^${name}: invalid configuration: .*INTERNAL_TOKEN is required but not set`));
  });

  it('exits non-zero naming a malformed variable', async () => {
    const service = await spawnService('billing', { REDIS_URL: 'localhost:6379', PORT: '99999' });
    expect(await service.exited).toBe(78);
    const output = service.output().trim();
    expect(output.split('\n')).toHaveLength(1);
    expect(output).toMatch(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(output).toMatch(/PORT/);
  });
});
