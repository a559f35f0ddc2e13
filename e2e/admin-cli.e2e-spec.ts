import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createPrismaClient, PrismaClient, PrismaService } from '@conduit/db';
import { PolicyStore } from '@conduit/policies';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { baseEnv, ROOT } from './support/service-process';

/** The built admin CLI, with the test's database and Redis. */
function admin(args: string[], options: { input?: string; prefix: string }) {
  const result = spawnSync('node', ['dist/apps/api-gateway/src/cli/admin.js', ...args], {
    cwd: ROOT,
    env: { ...baseEnv(), QUEUE_PREFIX: options.prefix },
    input: options.input,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

describe('admin CLI: roles and tenant policies', () => {
  const prefix = `e2e-cli-${randomUUID().slice(0, 8)}`;
  let prisma: PrismaClient;
  let owner: TenantWithUser;
  let service: PrismaService;
  let redis: Redis;
  let store: PolicyStore;

  beforeAll(async () => {
    prisma = createPrismaClient(process.env.DATABASE_URL ?? '', 2);
    owner = await createTenantWithUser(prisma);
    // A running service's view of the policies: its own cache, its own subscription.
    service = new PrismaService({ url: process.env.DATABASE_URL ?? '', poolSize: 1 });
    redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: null });
    store = new PolicyStore(service, redis, { redisUrl: process.env.REDIS_URL ?? '', prefix }, { cacheTtlMs: 600_000 });
    await store.onModuleInit();
  });

  afterAll(async () => {
    await store.onApplicationShutdown();
    redis.disconnect();
    await service.onApplicationShutdown();
    await removeTenants(prisma, [owner.tenant]);
    await prisma.$disconnect();
  });

  it('makes a user a tenant admin and back, and refuses an unknown role', async () => {
    const email = owner.user.email ?? '';
    expect(admin(['set-role', '--tenant', owner.tenant.slug, '--email', email, '--role', 'tenant_admin'], { prefix }).status).toBe(0);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: owner.user.id } })).role).toBe('tenant_admin');
    const bad = admin(['set-role', '--tenant', owner.tenant.slug, '--email', email, '--role', 'owner'], { prefix });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--role must be member or tenant_admin');
    expect(admin(['set-role', '--tenant', owner.tenant.slug, '--email', email, '--role', 'member'], { prefix }).status).toBe(0);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: owner.user.id } })).role).toBe('member');
  });

  it('stores a validated policy, which a running service applies on the announcement (not at its cache TTL); a bad one is refused with its path', async () => {
    expect((await store.get(owner.tenant.id)).guardrails.injection.user).toBe('flag'); // cached by the "service" for 10 minutes
    const set = admin(['set-policy', '--tenant', owner.tenant.slug, '--file', '-'], { prefix, input: JSON.stringify({ guardrails: { injection: { user: 'block' } } }) });
    expect(set.status).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ tenant: owner.tenant.slug, version: 1 });
    // Far below the cache's TTL: only the Redis announcement can have dropped the cached copy.
    await waitFor(async () => (await store.get(owner.tenant.id)).guardrails.injection.user, {
      what: 'the running service to apply the new policy',
      until: (user) => user === 'block',
    });

    const bad = admin(['set-policy', '--tenant', owner.tenant.slug, '--file', '-'], { prefix, input: JSON.stringify({ guardrails: { injection: { user: 'sometimes' } } }) });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('policy refused: guardrails.injection.user');
    const shown = admin(['show-policy', '--tenant', owner.tenant.slug], { prefix });
    expect(JSON.parse(shown.stdout)).toEqual({ tenant: owner.tenant.slug, version: 1, document: { guardrails: { injection: { user: 'block' } } } });
  });
});
