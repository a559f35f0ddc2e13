/* Admin CLI: tenants, users and API keys (a key is printed once, never stored), budgets and prices. */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfigOrExit, databaseEnv } from '@conduit/config';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createPrismaClient, PrismaService, Tier, UserRole } from '@conduit/db';
import { PolicyDocumentError, PolicyStore } from '@conduit/policies';
import { ResponseCacheStore } from '@conduit/response-cache';
import { describeApiKey, mintApiKey } from '@conduit/contracts';
import { tenantJwtSettingsSchema } from '../auth/tenant-auth.schema';
import { TenantAuthStore } from '../auth/tenant-auth.store';

const USAGE = `usage: admin <command> [options]
  seed-dev                          development tenant "dev", user dev@conduit.local and a key
                                    (the key is CONDUIT_DEV_API_KEY when set)
  create-tenant --name N --slug S [--tier free|pro|enterprise]
  create-user   --tenant SLUG --email E [--name N] [--tier free|pro|enterprise] [--role member|tenant_admin]
  set-role      --tenant SLUG --email E --role member|tenant_admin
                                    a tenant admin also manages the tenant's settings
  create-key    --tenant SLUG --email E [--name N]
  revoke-key    --prefix P
  set-budget    --tenant SLUG [--email E] --period daily|monthly --usd N|none|default
                                    a tenant's cap, or a user's with --email; "none" = no cap,
                                    "default" = back to the tier default (TIER_POLICY)
  show-budgets  --tenant SLUG       the tenant's stored budget overrides
  set-price     --model M --input USD --output USD [--cached-input USD] [--from YYYY-MM-DD]
                                    USD per 1M tokens from that UTC day (default today); M is a model,
                                    a family (prices its dated snapshots too) or a glob
  list-prices                       the price list, newest first per model
  set-unpriced-models --tenant SLUG --allow yes|no
                                    whether the tenant may use models without a price (billed at 0,
                                    beyond any budget); default no: refused with model_not_priced
  set-policy    --tenant SLUG --file F|-   the tenant's policy document (JSON; replaces the stored one)
                                    validated first; running services apply it once announced
  show-policy   --tenant SLUG       the stored policy document and its version
  cache-purge   --tenant SLUG       remove every response cache entry of the tenant (RESPONSE_CACHE_REDIS_URL,
                                    default REDIS_URL, and QUEUE_PREFIX as the orchestrator has them)
  set-jwt       --tenant SLUG --jwks-url U --issuer I --audience A [--user-claim C]
                                    sign the tenant's end users in with its own JWTs (claim C, default
                                    sub, names the user); gateways apply it within 30 s
  show-jwt      --tenant SLUG       the tenant's JWT settings
  clear-jwt     --tenant SLUG       turn JWT sign-in off for the tenant`;

const env = loadConfigOrExit(
  'admin',
  z.object({
    ...databaseEnv,
    CONDUIT_DEV_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    // set-policy announces the change to running services over Redis (as they do)
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    QUEUE_PREFIX: z.string().min(1).default('conduit'),
    RESPONSE_CACHE_REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  }),
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

function roleOf(value: unknown): UserRole {
  const parsed = z.enum(['member', 'tenant_admin']).safeParse(value ?? 'member');
  if (!parsed.success) fail('--role must be member or tenant_admin');
  return parsed.data;
}

/** The tenant policy commands go through the table's owner, PolicyStore, as the services do. */
async function withPolicyStore<T>(work: (store: PolicyStore) => Promise<T>): Promise<T> {
  if (!env.REDIS_URL) fail('REDIS_URL is required to announce the change to running services');
  const prisma = new PrismaService({ url: env.DATABASE_URL, poolSize: 1 });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    return await work(new PolicyStore(prisma, redis, { redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX }, { cacheTtlMs: 0 }));
  } finally {
    redis.disconnect();
    await prisma.onApplicationShutdown();
  }
}

/** The tenant JWT commands go through the table's owner, TenantAuthStore, as the gateway does. */
async function withTenantAuthStore<T>(work: (store: TenantAuthStore) => Promise<T>): Promise<T> {
  const prisma = new PrismaService({ url: env.DATABASE_URL, poolSize: 1 });
  try {
    return await work(new TenantAuthStore(prisma));
  } finally {
    await prisma.onApplicationShutdown();
  }
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
      period: { type: 'string' },
      usd: { type: 'string' },
      model: { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      'cached-input': { type: 'string' },
      from: { type: 'string' },
      role: { type: 'string' },
      file: { type: 'string' },
      allow: { type: 'string' },
      'jwks-url': { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      'user-claim': { type: 'string' },
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
          data: { tenantId: tenant.id, email: required(values, 'email'), name: values.name, tier: tierOf(values.tier), role: roleOf(values.role) },
        });
        process.stdout.write(`${JSON.stringify({ user_id: user.id, tenant_id: tenant.id, role: user.role })}\n`);
        break;
      }
      case 'set-role': {
        const tenant = await prisma.tenant.findUnique({ where: { slug: required(values, 'tenant') } });
        if (!tenant) fail(`no tenant with slug ${values.tenant}`);
        const role = roleOf(required(values, 'role'));
        const { count } = await prisma.user.updateMany({ where: { tenantId: tenant.id, email: required(values, 'email') }, data: { role } });
        if (count === 0) fail(`no user ${values.email} in tenant ${tenant.slug}`);
        process.stdout.write(`${JSON.stringify({ tenant: tenant.slug, email: values.email, role })}\n`);
        process.stderr.write('admin: gateways apply the change within the API key cache TTL (60 s)\n');
        break;
      }
      case 'set-policy': {
        const tenant = await prisma.tenant.findUnique({ where: { slug: required(values, 'tenant') } });
        if (!tenant) fail(`no tenant with slug ${values.tenant}`);
        const file = required(values, 'file');
        let document: unknown;
        try {
          document = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
        } catch (error) {
          fail(`--file: not a readable JSON document (${error instanceof Error ? error.message : String(error)})`);
        }
        const policy = await withPolicyStore((store) => store.put(tenant.id, document, 'cli')).catch((error: unknown) => {
          if (error instanceof PolicyDocumentError) fail(`policy refused: ${error.message}`);
          throw error;
        });
        process.stdout.write(`${JSON.stringify({ tenant: tenant.slug, version: policy.version })}\n`);
        break;
      }
      case 'show-policy': {
        const tenant = await prisma.tenant.findUnique({ where: { slug: required(values, 'tenant') } });
        if (!tenant) fail(`no tenant with slug ${values.tenant}`);
        const policy = await withPolicyStore((store) => store.show(tenant.id));
        process.stdout.write(`${JSON.stringify({ tenant: tenant.slug, version: policy.version, document: policy.document })}\n`);
        break;
      }
      case 'cache-purge': {
        const tenant = await prisma.tenant.findUnique({ where: { slug: required(values, 'tenant') } });
        if (!tenant) fail(`no tenant with slug ${values.tenant}`);
        const url = env.RESPONSE_CACHE_REDIS_URL ?? env.REDIS_URL;
        if (!url) fail('cache-purge needs RESPONSE_CACHE_REDIS_URL or REDIS_URL');
        const redis = new Redis(url, { maxRetriesPerRequest: 2 });
        try {
          const removed = await new ResponseCacheStore(redis, env.QUEUE_PREFIX).purgeTenant(tenant.id);
          process.stdout.write(`${JSON.stringify({ tenant: tenant.slug, removed })}\n`);
        } finally {
          await redis.quit();
        }
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
      case 'set-budget': {
        const tenant = await prisma.tenant.findUnique({ where: { slug: required(values, 'tenant') } });
        if (!tenant) fail(`no tenant with slug ${values.tenant}`);
        const period = z.enum(['daily', 'monthly']).safeParse(values.period);
        if (!period.success) fail('--period must be daily or monthly');
        let user: { id: string } | null = null;
        if (values.email !== undefined) {
          user = await prisma.user.findUnique({ where: { tenantId_email: { tenantId: tenant.id, email: values.email } }, select: { id: true } });
          if (!user) fail(`no user ${values.email} in tenant ${tenant.slug}`);
        }
        const scope = user ? ('user' as const) : ('tenant' as const);
        const subjectId = user?.id ?? tenant.id;
        const amount = required(values, 'usd');
        const key = { scope_subjectId_period: { scope, subjectId, period: period.data } };
        if (amount === 'default') {
          await prisma.budgetCap.deleteMany({ where: { scope, subjectId, period: period.data } });
        } else {
          const usd = amount === 'none' ? null : Number(amount);
          if (usd !== null && (!Number.isFinite(usd) || usd < 0)) fail('--usd must be a non-negative number, "none" or "default"');
          await prisma.budgetCap.upsert({
            where: key,
            create: { tenantId: tenant.id, scope, subjectId, userId: user?.id ?? null, period: period.data, capUsd: usd },
            update: { capUsd: usd },
          });
        }
        process.stdout.write(`${JSON.stringify({ scope, subject_id: subjectId, period: period.data, cap_usd: amount })}\n`);
        process.stderr.write('admin: gateways apply the change within BUDGET_CAP_CACHE_TTL_MS (30 s by default)\n');
        break;
      }
      case 'show-budgets': {
        const tenant = await prisma.tenant.findUnique({ where: { slug: required(values, 'tenant') } });
        if (!tenant) fail(`no tenant with slug ${values.tenant}`);
        const caps = await prisma.budgetCap.findMany({ where: { tenantId: tenant.id }, orderBy: [{ scope: 'asc' }, { period: 'asc' }] });
        for (const cap of caps) {
          process.stdout.write(
            `${JSON.stringify({ scope: cap.scope, subject_id: cap.subjectId, period: cap.period, cap_usd: cap.capUsd === null ? null : Number(cap.capUsd) })}\n`,
          );
        }
        break;
      }
      case 'set-price': {
        const price = (name: string, optional = false): number | null => {
          const value = values[name as keyof typeof values];
          if (value === undefined && optional) return null;
          const parsed = Number(value);
          if (typeof value !== 'string' || !Number.isFinite(parsed) || parsed < 0) fail(`--${name} must be a non-negative number (USD per 1M tokens)`);
          return parsed;
        };
        const from = values.from ?? new Date().toISOString().slice(0, 10);
        if (!z.iso.date().safeParse(from).success) fail('--from must be a date, YYYY-MM-DD');
        const data = {
          inputUsdPerMtok: price('input') as number,
          outputUsdPerMtok: price('output') as number,
          cachedInputUsdPerMtok: price('cached-input', true),
        };
        const model = required(values, 'model');
        const effectiveFrom = new Date(`${from}T00:00:00Z`);
        await prisma.modelPrice.upsert({
          where: { model_effectiveFrom: { model, effectiveFrom } },
          create: { model, effectiveFrom, ...data },
          update: data,
        });
        process.stdout.write(`${JSON.stringify({ model, effective_from: from, input: data.inputUsdPerMtok, output: data.outputUsdPerMtok, cached_input: data.cachedInputUsdPerMtok })}\n`);
        process.stderr.write('admin: services load prices every PRICE_REFRESH_MS (60 s by default); date changes ahead of time\n');
        break;
      }
      case 'set-unpriced-models': {
        const allow = z.enum(['yes', 'no']).safeParse(values.allow);
        if (!allow.success) fail('--allow must be yes or no');
        const slug = required(values, 'tenant');
        const { count } = await prisma.tenant.updateMany({ where: { slug }, data: { allowUnpricedModels: allow.data === 'yes' } });
        if (count === 0) fail(`no tenant with slug ${slug}`);
        process.stdout.write(`${JSON.stringify({ tenant: slug, allow_unpriced_models: allow.data === 'yes' })}\n`);
        process.stderr.write('admin: gateways and orchestrators apply the change within BUDGET_CAP_CACHE_TTL_MS (30 s by default)\n');
        break;
      }
      case 'list-prices': {
        const rows = await prisma.modelPrice.findMany({ orderBy: [{ model: 'asc' }, { effectiveFrom: 'desc' }] });
        for (const row of rows) {
          process.stdout.write(
            `${JSON.stringify({
              model: row.model,
              effective_from: row.effectiveFrom.toISOString().slice(0, 10),
              input: Number(row.inputUsdPerMtok),
              output: Number(row.outputUsdPerMtok),
              cached_input: row.cachedInputUsdPerMtok === null ? null : Number(row.cachedInputUsdPerMtok),
            })}\n`,
          );
        }
        break;
      }
      case 'set-jwt':
      case 'show-jwt':
      case 'clear-jwt': {
        const tenant = await prisma.tenant.findUnique({ where: { slug: required(values, 'tenant') } });
        if (!tenant) fail(`no tenant with slug ${values.tenant}`);
        if (command === 'show-jwt') {
          process.stdout.write(`${JSON.stringify(await withTenantAuthStore((store) => store.get(tenant.id)))}\n`);
          break;
        }
        if (command === 'clear-jwt') {
          const cleared = await withTenantAuthStore((store) => store.clear(tenant.id));
          process.stdout.write(cleared ? `JWT sign-in turned off for ${tenant.slug}\n` : `${tenant.slug} had no JWT sign-in\n`);
          break;
        }
        const settings = tenantJwtSettingsSchema.safeParse({
          jwks_url: required(values, 'jwks-url'),
          issuer: required(values, 'issuer'),
          audience: required(values, 'audience'),
          user_claim: values['user-claim'],
        });
        if (!settings.success) fail(settings.error.issues.map((issue) => `--${String(issue.path[0]).replace('_', '-')}: ${issue.message}`).join('\n'));
        await withTenantAuthStore((store) => store.set(tenant.id, settings.data)).catch((error: unknown) => {
          if ((error as { code?: string }).code === 'P2002') fail('another tenant already signs in with this issuer and audience');
          throw error;
        });
        process.stdout.write(`${JSON.stringify(settings.data)}\n`);
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
