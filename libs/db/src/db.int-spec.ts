import { createHash, randomUUID } from 'node:crypto';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  DbModule,
  MessageRole,
  MessageStatus,
  PostgresReadiness,
  Prisma,
  PrismaClient,
  PrismaService,
  Tier,
  createPrismaClient,
} from './index';

const databaseUrl = (): string => {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set (the integration globalSetup sets it)');
  return url;
};

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

describe('migrations', () => {
  let client: PrismaClient;

  beforeAll(() => {
    client = createPrismaClient(databaseUrl(), 2);
  });

  afterAll(async () => {
    await client.$disconnect();
  });

  it('created every table of the schema', async () => {
    const rows = await client.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
    const tables = rows.map((r) => r.table_name);
    expect(tables).toEqual(
      expect.arrayContaining(['_prisma_migrations', 'tenants', 'users', 'api_keys', 'sessions', 'messages', 'usage_events']),
    );
  });

  it('recorded the init migration as finished in _prisma_migrations', async () => {
    const rows = await client.$queryRaw<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }[]>`
      SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations WHERE migration_name LIKE '%\_init'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.finished_at).toBeInstanceOf(Date);
    expect(rows[0]?.rolled_back_at).toBeNull();
  });

  it('uses the conventional names for indexes and constraints', async () => {
    const rows = await client.$queryRaw<{ indexname: string }[]>`
      SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('api_keys', 'sessions', 'messages')`;
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'api_keys_key_hash_key',
        'api_keys_prefix_idx',
        'sessions_tenant_id_user_id_created_at_idx',
        'messages_session_id_created_at_idx',
        'messages_tenant_id_user_id_created_at_idx',
      ]),
    );
  });
});

@Module({})
class TestAppModule {}

describe('DbModule / PrismaService', () => {
  let app: INestApplicationContext;
  let prisma: PrismaService;
  const tenantIds: string[] = [];

  const createTenant = (tier: Tier = Tier.free) => {
    const slug = `test-${randomUUID()}`;
    return prisma.tenant.create({ data: { name: 'Test tenant', slug, tier } }).then((tenant) => {
      tenantIds.push(tenant.id);
      return tenant;
    });
  };

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(
      { module: TestAppModule, imports: [DbModule.forRoot({ url: databaseUrl(), poolSize: 3 })] },
      { logger: false },
    );
    await app.init();
    prisma = app.get(PrismaService);
  });

  afterAll(async () => {
    if (prisma && tenantIds.length > 0) await prisma.tenant.deleteMany({ where: { id: { in: tenantIds } } });
    await app?.close();
  });

  it('creates a tenant, user, api key, session and message', async () => {
    const tenant = await createTenant(Tier.pro);
    const user = await prisma.user.create({ data: { tenantId: tenant.id, email: `${randomUUID()}@example.test`, name: 'Ada' } });
    const fullKey = `cdt_${randomUUID().replace(/-/g, '')}`;
    const apiKey = await prisma.apiKey.create({
      data: { tenantId: tenant.id, userId: user.id, name: 'ci', prefix: fullKey.slice(0, 12), keyHash: sha256(fullKey) },
    });
    const session = await prisma.session.create({ data: { tenantId: tenant.id, userId: user.id, title: 'hello' } });
    const message = await prisma.message.create({
      data: {
        sessionId: session.id,
        tenantId: tenant.id,
        userId: user.id,
        role: MessageRole.assistant,
        content: 'Hi there',
        tokensIn: 12,
        tokensOut: 34,
        model: 'mock-1',
        provider: 'mock',
        costUsd: new Prisma.Decimal('0.00012345'),
        latencyMs: 250,
        ttftMs: 40,
        rating: 1,
        metadata: { traceId: 'abc' },
      },
    });

    expect(tenant.tier).toBe(Tier.pro);
    expect(user.tier).toBe(Tier.free);
    expect(apiKey.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKey.revokedAt).toBeNull();
    expect(session.metadata).toEqual({});
    expect(session.deletedAt).toBeNull();
    expect(message.status).toBe(MessageStatus.complete);
    expect(message.costUsd).toBeInstanceOf(Prisma.Decimal);
    expect(message.costUsd.toString()).toBe('0.00012345');
    expect(message.metadata).toEqual({ traceId: 'abc' });

    const found = await prisma.apiKey.findUnique({ where: { keyHash: sha256(fullKey) }, include: { user: true } });
    expect(found?.user.id).toBe(user.id);
    const history = await prisma.message.findMany({ where: { sessionId: session.id }, orderBy: { createdAt: 'asc' } });
    expect(history.map((m) => m.id)).toEqual([message.id]);
  });

  it('cascades deletes from sessions to messages and from tenants to everything', async () => {
    const tenant = await createTenant();
    const user = await prisma.user.create({ data: { tenantId: tenant.id } });
    await prisma.apiKey.create({
      data: { tenantId: tenant.id, userId: user.id, name: 'k', prefix: 'cdt_abcdefgh', keyHash: sha256(randomUUID()) },
    });
    const s1 = await prisma.session.create({ data: { tenantId: tenant.id, userId: user.id } });
    const s2 = await prisma.session.create({ data: { tenantId: tenant.id, userId: user.id } });
    for (const sessionId of [s1.id, s1.id, s2.id]) {
      await prisma.message.create({ data: { sessionId, tenantId: tenant.id, userId: user.id, role: MessageRole.user, content: 'x' } });
    }
    await prisma.usageEvent.create({
      data: {
        id: `evt-${randomUUID()}`,
        tenantId: tenant.id,
        userId: user.id,
        provider: 'mock',
        model: 'mock-1',
        inputTokens: 1,
        outputTokens: 2,
        feature: 'chat',
        occurredAt: new Date(),
      },
    });

    await prisma.session.delete({ where: { id: s1.id } });
    expect(await prisma.message.count({ where: { sessionId: s1.id } })).toBe(0);
    expect(await prisma.message.count({ where: { sessionId: s2.id } })).toBe(1);

    await prisma.tenant.delete({ where: { id: tenant.id } });
    const where = { tenantId: tenant.id };
    const counts = await Promise.all([
      prisma.user.count({ where }),
      prisma.apiKey.count({ where }),
      prisma.session.count({ where }),
      prisma.message.count({ where }),
      prisma.usageEvent.count({ where }),
    ]);
    expect(counts).toEqual([0, 0, 0, 0, 0]);
  });

  it('rejects a second api key with the same hash', async () => {
    const tenant = await createTenant();
    const user = await prisma.user.create({ data: { tenantId: tenant.id } });
    const keyHash = sha256(randomUUID());
    await prisma.apiKey.create({ data: { tenantId: tenant.id, userId: user.id, name: 'a', prefix: 'cdt_aaaaaaaa', keyHash } });

    const duplicate = prisma.apiKey.create({ data: { tenantId: tenant.id, userId: user.id, name: 'b', prefix: 'cdt_bbbbbbbb', keyHash } });
    await expect(duplicate).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    await expect(duplicate).rejects.toMatchObject({ code: 'P2002' });
    expect(await prisma.apiKey.count({ where: { keyHash } })).toBe(1);
  });

  it('rejects a second user with the same email in a tenant, but not across tenants', async () => {
    const [a, b] = await Promise.all([createTenant(), createTenant()]);
    const email = `${randomUUID()}@example.test`;
    await prisma.user.create({ data: { tenantId: a.id, email } });
    await expect(prisma.user.create({ data: { tenantId: a.id, email } })).rejects.toMatchObject({ code: 'P2002' });
    await expect(prisma.user.create({ data: { tenantId: b.id, email } })).resolves.toMatchObject({ email });
  });

  it('deduplicates usage events by event id', async () => {
    const tenant = await createTenant();
    const event = {
      id: `evt-${randomUUID()}`,
      tenantId: tenant.id,
      provider: 'mock',
      model: 'mock-1',
      inputTokens: 10,
      outputTokens: 20,
      feature: 'chat',
      occurredAt: new Date(),
    };
    expect(await prisma.usageEvent.createMany({ data: [event], skipDuplicates: true })).toEqual({ count: 1 });
    expect(await prisma.usageEvent.createMany({ data: [event], skipDuplicates: true })).toEqual({ count: 0 });
    const stored = await prisma.usageEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(stored.cachedTokens).toBe(0);
    expect(stored.recordedAt).toBeInstanceOf(Date);
  });

  it('PostgresReadiness passes against the real database', async () => {
    const readiness = app.get(PostgresReadiness);
    expect(readiness.name).toBe('postgres');
    await expect(readiness.check()).resolves.toBeUndefined();
  });
});

describe('PostgresReadiness against an unreachable server', () => {
  it('throws a clear error for a closed port', async () => {
    const prisma = new PrismaService({ url: 'postgresql://postgres@127.0.0.1:1/conduit_test', poolSize: 1 });
    await prisma.onModuleInit(); // the adapter connects lazily: start-up must not fail when Postgres is down
    try {
      const started = Date.now();
      const error = await new PostgresReadiness(prisma).check().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe("postgres check failed: Can't reach database server at 127.0.0.1:1");
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await prisma.onApplicationShutdown();
    }
  });
});
