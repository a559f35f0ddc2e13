/* Admin CLI: creates tenants, users and API keys. A key is printed once and never stored. */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfigOrExit, databaseEnv } from '@conduit/config';
import { createPrismaClient, Tier } from '@conduit/db';
import { describeApiKey, mintApiKey } from '../auth/api-key';

const USAGE = `usage: admin <command> [options]
  seed-dev                          development tenant "dev", user dev@conduit.local and a key
                                    (the key is CONDUIT_DEV_API_KEY when set)
  create-tenant --name N --slug S [--tier free|pro|enterprise]
  create-user   --tenant SLUG --email E [--name N] [--tier free|pro|enterprise]
  create-key    --tenant SLUG --email E [--name N]
  revoke-key    --prefix P`;

const env = loadConfigOrExit(
  'admin',
  z.object({ ...databaseEnv, CONDUIT_DEV_API_KEY: z.string().min(16, 'must be at least 16 characters').optional() }),
);

const tierSchema = z.enum(['free', 'pro', 'enterprise']);

function fail(message: string): never {
  process.stderr.write(`admin: ${message}\n`);
  process.exit(2);
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') fail(`--${name} is required\n${USAGE}`);
  return value.trim();
}

function tierOf(value: unknown): Tier {
  const parsed = tierSchema.safeParse(value ?? 'free');
  if (!parsed.success) fail(`--tier must be one of free, pro, enterprise`);
  return parsed.data;
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      slug: { type: 'string' },
      tier: { type: 'string' },
      tenant: { type: 'string' },
      email: { type: 'string' },
      prefix: { type: 'string' },
    },
    strict: true,
  });
  const prisma = createPrismaClient(env.DATABASE_URL, 2);
  try {
    switch (command) {
      case 'seed-dev': {
        const tenant = await prisma.tenant.upsert({
          where: { slug: 'dev' },
          create: { name: 'Development', slug: 'dev', tier: 'pro' },
          update: {},
        });
        const user = await prisma.user.upsert({
          where: { tenantId_email: { tenantId: tenant.id, email: 'dev@conduit.local' } },
          create: { tenantId: tenant.id, email: 'dev@conduit.local', name: 'Developer', tier: 'pro' },
          update: {},
        });
        const minted = env.CONDUIT_DEV_API_KEY ? describeApiKey(env.CONDUIT_DEV_API_KEY) : mintApiKey();
        await prisma.apiKey.upsert({
          where: { keyHash: minted.hash },
          create: { tenantId: tenant.id, userId: user.id, name: 'development', prefix: minted.prefix, keyHash: minted.hash },
          update: { revokedAt: null },
        });
        process.stdout.write(`${JSON.stringify({ tenant_id: tenant.id, user_id: user.id, api_key: minted.key })}\n`);
        break;
      }
      case 'create-tenant': {
        const tenant = await prisma.tenant.create({
          data: { name: required(values, 'name'), slug: required(values, 'slug'), tier: tierOf(values.tier) },
        });
        process.stdout.write(`${JSON.stringify({ tenant_id: tenant.id, slug: tenant.slug })}\n`);
        break;
      }
      case 'create-user': {
        const tenant = await prisma.tenant.findUnique({ where: { slug: required(values, 'tenant') } });
        if (!tenant) fail(`no tenant with slug ${values.tenant}`);
        const user = await prisma.user.create({
          data: { tenantId: tenant.id, email: required(values, 'email'), name: values.name, tier: tierOf(values.tier) },
        });
        process.stdout.write(`${JSON.stringify({ user_id: user.id, tenant_id: tenant.id })}\n`);
        break;
      }
      case 'create-key': {
        const tenant = await prisma.tenant.findUnique({ where: { slug: required(values, 'tenant') } });
        if (!tenant) fail(`no tenant with slug ${values.tenant}`);
        const user = await prisma.user.findUnique({
          where: { tenantId_email: { tenantId: tenant.id, email: required(values, 'email') } },
        });
        if (!user) fail(`no user ${values.email} in tenant ${tenant.slug}`);
        const minted = mintApiKey();
        await prisma.apiKey.create({
          data: { tenantId: tenant.id, userId: user.id, name: values.name ?? 'default', prefix: minted.prefix, keyHash: minted.hash },
        });
        process.stdout.write(`${JSON.stringify({ api_key: minted.key, prefix: minted.prefix })}\n`);
        process.stderr.write('admin: store this key now; it cannot be shown again\n');
        break;
      }
      case 'revoke-key': {
        const { count } = await prisma.apiKey.updateMany({
          where: { prefix: required(values, 'prefix'), revokedAt: null },
          data: { revokedAt: new Date() },
        });
        process.stdout.write(`${JSON.stringify({ revoked: count })}\n`);
        break;
      }
      default:
        fail(USAGE);
    }
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  fail(error instanceof Error ? error.message : String(error));
});
