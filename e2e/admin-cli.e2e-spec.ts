import { spawnSync } from 'node:child_process';
import { createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createPrismaClient, PrismaClient, PrismaService } from '@conduit/db';
import { PolicyStore } from '@conduit/policies';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { baseEnv, ROOT } from './support/service-process';

/** The built admin CLI, with the test's database and Redis. */
function admin(args: string[], options: { input?: string; prefix: string; env?: Record<string, string> }) {
  const result = spawnSync('node', ['dist/apps/api-gateway/src/cli/admin.js', ...args], {
    cwd: ROOT,
    env: { ...baseEnv(), QUEUE_PREFIX: options.prefix, ...options.env },
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

  it("sets, shows and clears an API key's budget cap; refuses another tenant's key and a key with an email", async () => {
    const slug = owner.tenant.slug;
    const key = await prisma.apiKey.findFirstOrThrow({ where: { userId: owner.user.id } });
    const set = admin(['set-budget', '--tenant', slug, '--key-id', key.id, '--period', 'daily', '--usd', '2.5'], { prefix });
    expect(set.status).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ scope: 'key', subject_id: key.id, period: 'daily' });
    expect(await prisma.budgetCap.findFirstOrThrow({ where: { scope: 'key', subjectId: key.id } })).toMatchObject({ apiKeyId: key.id, tenantId: owner.tenant.id });
    const shown = admin(['show-budgets', '--tenant', slug], { prefix }).stdout.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(shown).toContainEqual({ scope: 'key', subject_id: key.id, period: 'daily', cap_usd: 2.5 });
    const stranger = await createTenantWithUser(prisma);
    try {
      const foreign = await prisma.apiKey.findFirstOrThrow({ where: { userId: stranger.user.id } });
      const refused = admin(['set-budget', '--tenant', slug, '--key-id', foreign.id, '--period', 'daily', '--usd', '1'], { prefix });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain(`no API key ${foreign.id} in tenant ${slug}`);
    } finally {
      await removeTenants(prisma, [stranger.tenant]);
    }
    const both = admin(['set-budget', '--tenant', slug, '--key-id', key.id, '--email', owner.user.email ?? '', '--period', 'daily', '--usd', '1'], { prefix });
    expect(both.status).toBe(2);
    expect(admin(['set-budget', '--tenant', slug, '--key-id', key.id, '--period', 'daily', '--usd', 'default'], { prefix }).status).toBe(0);
    expect(await prisma.budgetCap.count({ where: { scope: 'key', subjectId: key.id } })).toBe(0);
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

  /** Opens a sealed value as the documented format says: base64(iv[12] | tag[16] | ciphertext), AES-256-GCM, the row as associated data. */
  const open = (keyBase64: string, sealed: string, aad: string) => {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(keyBase64, 'base64'), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  };

  it('seals plaintext webhook secrets, then re-encrypts them under a new key (rotate-secrets-key); refuses to run without SECRETS_KEK', async () => {
    const legacy = `whsec_${randomBytes(32).toString('base64')}`;
    await prisma.$executeRaw`INSERT INTO webhook_signing_keys (tenant_id, secret) VALUES (${owner.tenant.id}::uuid, ${legacy})`;
    const row = () => prisma.webhookSigningKey.findUniqueOrThrow({ where: { tenantId: owner.tenant.id } });

    const refused = admin(['rotate-secrets-key'], { prefix, env: { SECRETS_KEK: '' } });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('SECRETS_KEK is required');
    expect((await row()).secret).toBe(legacy);

    const k1 = admin(['generate-secrets-key', '--id', 'k1'], { prefix }).stdout;
    const k2 = admin(['generate-secrets-key', '--id', 'k2'], { prefix }).stdout;
    expect(k1).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
    const first = admin(['rotate-secrets-key'], { prefix, env: { SECRETS_KEK: k1 } });
    expect(first.status).toBe(0);
    const sealed = await row();
    expect(sealed).toMatchObject({ secret: null, secretKeyId: 'k1' });
    expect(JSON.stringify(sealed)).not.toContain(legacy.slice('whsec_'.length));
    expect(open(k1.slice(3), sealed.secretCiphertext ?? '', `webhook_signing_keys:${owner.tenant.id}:secret`)).toBe(legacy);

    // The new key first, the old one still listed: everything moves to the new key.
    const second = admin(['rotate-secrets-key'], { prefix, env: { SECRETS_KEK: `${k2},${k1}` } });
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ key_id: 'k2' });
    const resealed = await row();
    expect(resealed.secretKeyId).toBe('k2');
    expect(open(k2.slice(3), resealed.secretCiphertext ?? '', `webhook_signing_keys:${owner.tenant.id}:secret`)).toBe(legacy);
  });
});
