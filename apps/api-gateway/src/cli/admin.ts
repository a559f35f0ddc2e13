/*
 * Admin CLI: tenants, users and API keys (a key is printed once, never stored), budgets and prices,
 * tenant policies, tenant JWT settings, the secrets keyring, rebuilding the vector store. A thin
 * client of the same stores the admin API uses (libs/tenancy, libs/budget, libs/policies,
 * libs/webhooks) and of the ingestion worker's queue (libs/documents): no second code path.
 * Credential changes are announced to running gateways over Redis.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfigOrExit, databaseEnv, redisEnv, redisTopology, SecretKeyring, secretsEnv } from '@conduit/config';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { BudgetCapStore, BudgetModuleOptions, DEFAULT_TIER_POLICY, PriceListStore } from '@conduit/budget';
import { PrismaService, Tier, UserRole } from '@conduit/db';
import { PolicyDocumentError, PolicyStore } from '@conduit/policies';
import { ResponseCacheStore, SemanticCacheStore } from '@conduit/response-cache';
import { describeApiKey, mintApiKey } from '@conduit/contracts';
import { ApiKeyRecord, ApiKeyRegistry, AuthAnnouncer, TenantRecord, TenantStore, UserRecord, UserStore } from '@conduit/tenancy';
import { tenantJwtSettingsSchema } from '../auth/tenant-auth.schema';
import { TenantAuthStore } from '../auth/tenant-auth.store';
import { WebhookEndpoints, WebhookSigningKeys } from '@conduit/webhooks';
import { HttpToolStore, McpServerStore } from '@conduit/tools';
import { DocumentIngestProducer, VectorRebuild, type RebuildProgress } from '@conduit/documents';
import { createRedisConnection, JobProducer } from '@conduit/queue';
import { createVectorStore, vectorSpaceFor, VectorSpaceNotFoundError, vectorStoreEnv, vectorStoreSettings } from '@conduit/vector-store';

const USAGE = `usage: admin <command> [options]
  seed-dev                          development tenant "dev", user dev@conduit.local and a key
                                    (the key is CONDUIT_DEV_API_KEY when set)
  create-tenant --name N --slug S [--tier free|pro|enterprise]
  create-user   --tenant SLUG --email E [--name N] [--tier free|pro|enterprise] [--role member|tenant_admin]
  set-role      --tenant SLUG --email E --role member|tenant_admin
                                    a tenant admin also manages the tenant's settings
  create-key    --tenant SLUG --email E [--name N]
  revoke-key    --prefix P
  set-budget    --tenant SLUG [--email E | --key-id ID] --period daily|monthly --usd N|none|default
                                    a tenant's cap, a user's with --email, or an API key's with
                                    --key-id (the id create-key prints); "none" = no cap,
                                    "default" = back to the tier default (TIER_POLICY; a key has none)
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
  clear-jwt     --tenant SLUG       turn JWT sign-in off for the tenant
  generate-secrets-key --id ID      a new key-encryption key entry for SECRETS_KEK (id:base64key)
  rotate-secrets-key                seals every stored webhook and tool secret under the first key of
                                    SECRETS_KEK (plaintext rows from before encryption included);
                                    run after putting a new key first, before dropping the old one
  reindex --all|--tenant SLUG [--parallel N]
                                    rebuild the vector store from the stored documents (after losing it,
                                    docs/backup.md): the ingestion worker embeds again every indexed
                                    document (of every tenant, or of one) whose points are missing,
                                    N at a time (default 8); prints progress; run it again to resume`;

const env = loadConfigOrExit(
  'admin',
  z.object({
    ...databaseEnv,
    CONDUIT_DEV_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    // credential and policy changes are announced to running services over Redis (as the admin API does)
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    QUEUE_PREFIX: z.string().min(1).default('conduit'),
    // rotate-secrets-key: the services' key-encryption keyring
    ...secretsEnv,
    RESPONSE_CACHE_REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    // reindex: the vector store the services write to (pgvector uses DATABASE_URL), and the
    // ingestion queue in Redis as the services reach it (REDIS_MODE)
    ...vectorStoreEnv,
    REDIS_MODE: redisEnv.REDIS_MODE,
    REDIS_CLUSTER_NODES: redisEnv.REDIS_CLUSTER_NODES,
    REDIS_SENTINELS: redisEnv.REDIS_SENTINELS,
    REDIS_SENTINEL_MASTER: redisEnv.REDIS_SENTINEL_MASTER,
    REDIS_SENTINEL_PASSWORD: redisEnv.REDIS_SENTINEL_PASSWORD,
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

/** The stores the admin API uses, on one database connection and (when configured) Redis. */
interface Stores {
  tenants: TenantStore;
  users: UserStore;
  keys: ApiKeyRegistry;
  caps: BudgetCapStore;
  prices: PriceListStore;
  /** The tenants' JWT settings, through the table's owner as the gateway reads them. */
  tenantAuth: TenantAuthStore;
  /** The semantic response cache's vectors (purged with the tenant's entries). */
  semanticCache: SemanticCacheStore;
  policies(): PolicyStore;
}

async function withStores<T>(work: (stores: Stores) => Promise<T>): Promise<T> {
  const prisma = new PrismaService({ url: env.DATABASE_URL, poolSize: 2 });
  const redis = env.REDIS_URL ? new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2 }) : undefined;
  const queue = { redisUrl: env.REDIS_URL ?? '', prefix: env.QUEUE_PREFIX };
  // Without Redis nothing is announced: running gateways apply credential changes within their key cache TTL (60 s).
  const announcer = redis ? new AuthAnnouncer(redis, queue) : ({ announce: async () => undefined } as unknown as AuthAnnouncer);
  // Only the overrides' reads and writes are used here: no tier policy or cache is involved.
  const capOptions = { policy: DEFAULT_TIER_POLICY, capCacheTtlMs: 0 } as BudgetModuleOptions;
  try {
    return await work({
      tenants: new TenantStore(prisma, announcer),
      users: new UserStore(prisma, announcer),
      keys: new ApiKeyRegistry(prisma, announcer),
      caps: new BudgetCapStore(prisma, capOptions),
      prices: new PriceListStore(prisma),
      tenantAuth: new TenantAuthStore(prisma),
      semanticCache: new SemanticCacheStore(prisma.pg),
      policies: () => {
        if (!redis) fail('REDIS_URL is required to announce the change to running services');
        return new PolicyStore(prisma, redis, queue, { cacheTtlMs: 0 });
      },
    });
  } finally {
    redis?.disconnect();
    await prisma.onApplicationShutdown();
  }
}

async function tenantOf(stores: Stores, slug: string): Promise<TenantRecord> {
  return (await stores.tenants.bySlug(slug)) ?? fail(`no tenant with slug ${slug}`);
}

async function userOf(stores: Stores, tenant: TenantRecord, email: string): Promise<UserRecord> {
  return (await stores.users.byEmail(tenant.id, email)) ?? fail(`no user ${email} in tenant ${tenant.slug}`);
}

async function keyOf(stores: Stores, tenant: TenantRecord, id: string): Promise<ApiKeyRecord> {
  if (!z.guid().safeParse(id).success) fail('--key-id must be an API key id (a uuid)');
  return (await stores.keys.get(tenant.id, id)) ?? fail(`no API key ${id} in tenant ${tenant.slug}`);
}

const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

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
      'key-id': { type: 'string' },
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
      id: { type: 'string' },
      all: { type: 'boolean' },
      parallel: { type: 'string' },
    },
    strict: true,
  });
  await withStores(async (stores) => {
    switch (command) {
      case 'seed-dev': {
        const tenant = (await stores.tenants.bySlug('dev')) ?? (await stores.tenants.create({ name: 'Development', slug: 'dev', tier: 'pro' }));
        const user =
          (await stores.users.byEmail(tenant.id, 'dev@conduit.local')) ??
          (await stores.users.create(tenant.id, { email: 'dev@conduit.local', name: 'Developer', tier: 'pro', role: 'member' }));
        const minted = env.CONDUIT_DEV_API_KEY ? describeApiKey(env.CONDUIT_DEV_API_KEY) : mintApiKey();
        await stores.keys.ensure(tenant.id, user.id, minted, 'development');
        out({ tenant_id: tenant.id, user_id: user.id, api_key: minted.key });
        break;
      }
      case 'create-tenant': {
        const tenant = await stores.tenants.create({ name: required(values, 'name'), slug: required(values, 'slug'), tier: tierOf(values.tier) });
        out({ tenant_id: tenant.id, slug: tenant.slug });
        break;
      }
      case 'create-user': {
        const tenant = await tenantOf(stores, required(values, 'tenant'));
        const user = await stores.users.create(tenant.id, { email: required(values, 'email'), name: values.name, tier: tierOf(values.tier), role: roleOf(values.role) });
        out({ user_id: user.id, tenant_id: tenant.id, role: user.role });
        break;
      }
      case 'set-role': {
        const tenant = await tenantOf(stores, required(values, 'tenant'));
        const role = roleOf(required(values, 'role'));
        const user = await userOf(stores, tenant, required(values, 'email'));
        await stores.users.update(tenant.id, user.id, { role });
        out({ tenant: tenant.slug, email: values.email, role });
        break;
      }
      case 'set-policy': {
        const tenant = await tenantOf(stores, required(values, 'tenant'));
        const file = required(values, 'file');
        let document: unknown;
        try {
          document = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
        } catch (error) {
          fail(`--file: not a readable JSON document (${error instanceof Error ? error.message : String(error)})`);
        }
        const policy = await stores
          .policies()
          .put(tenant.id, document, 'cli')
          .catch((error: unknown) => {
            if (error instanceof PolicyDocumentError) fail(`policy refused: ${error.message}`);
            throw error;
          });
        out({ tenant: tenant.slug, version: policy.version });
        break;
      }
      case 'show-policy': {
        const tenant = await tenantOf(stores, required(values, 'tenant'));
        const policy = await stores.policies().show(tenant.id);
        out({ tenant: tenant.slug, version: policy.version, document: policy.document });
        break;
      }
      case 'cache-purge': {
        const tenant = await tenantOf(stores, required(values, 'tenant'));
        const url = env.RESPONSE_CACHE_REDIS_URL ?? env.REDIS_URL;
        if (!url) fail('cache-purge needs RESPONSE_CACHE_REDIS_URL or REDIS_URL');
        const redis = new Redis(url, { maxRetriesPerRequest: 2 });
        try {
          await stores.semanticCache.purgeTenant(tenant.id);
          const removed = await new ResponseCacheStore(redis, env.QUEUE_PREFIX).purgeTenant(tenant.id);
          out({ tenant: tenant.slug, removed });
        } finally {
          await redis.quit();
        }
        break;
      }
      case 'create-key': {
        const tenant = await tenantOf(stores, required(values, 'tenant'));
        const user = await userOf(stores, tenant, required(values, 'email'));
        const { record, secret } = await stores.keys.create(tenant.id, user.id, { name: values.name ?? 'default' });
        out({ api_key: secret, id: record.id, prefix: record.prefix });
        process.stderr.write('admin: store this key now; it cannot be shown again\n');
        break;
      }
      case 'revoke-key': {
        out({ revoked: await stores.keys.revokeByPrefix(required(values, 'prefix')) });
        break;
      }
      case 'set-budget': {
        const tenant = await tenantOf(stores, required(values, 'tenant'));
        const period = z.enum(['daily', 'monthly']).safeParse(values.period);
        if (!period.success) fail('--period must be daily or monthly');
        if (values.email !== undefined && values['key-id'] !== undefined) fail('--email and --key-id name different subjects: give one');
        const user = values.email !== undefined ? await userOf(stores, tenant, values.email) : null;
        const key = values['key-id'] !== undefined ? await keyOf(stores, tenant, values['key-id']) : null;
        const scope = key ? ('key' as const) : user ? ('user' as const) : ('tenant' as const);
        const subjectId = key?.id ?? user?.id ?? tenant.id;
        const amount = required(values, 'usd');
        if (amount === 'default') {
          await stores.caps.clearOverride(tenant.id, scope, subjectId, period.data);
        } else {
          const usd = amount === 'none' ? null : Number(amount);
          if (usd !== null && (!Number.isFinite(usd) || usd < 0)) fail('--usd must be a non-negative number, "none" or "default"');
          await stores.caps.setOverride(tenant.id, scope, subjectId, period.data, usd);
        }
        out({ scope, subject_id: subjectId, period: period.data, cap_usd: amount });
        process.stderr.write('admin: gateways apply the change within BUDGET_CAP_CACHE_TTL_MS (30 s by default)\n');
        break;
      }
      case 'show-budgets': {
        const tenant = await tenantOf(stores, required(values, 'tenant'));
        for (const cap of await stores.caps.listOverrides(tenant.id)) out({ scope: cap.scope, subject_id: cap.subjectId, period: cap.period, cap_usd: cap.usd });
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
        const version = await stores.prices.set({
          model: required(values, 'model'),
          effectiveFrom: from,
          input: price('input') as number,
          output: price('output') as number,
          cachedInput: price('cached-input', true),
        });
        out({ model: version.model, effective_from: from, input: version.input, output: version.output, cached_input: version.cachedInput });
        process.stderr.write('admin: services load prices every PRICE_REFRESH_MS (60 s by default); date changes ahead of time\n');
        break;
      }
      case 'set-unpriced-models': {
        const allow = z.enum(['yes', 'no']).safeParse(values.allow);
        if (!allow.success) fail('--allow must be yes or no');
        const slug = required(values, 'tenant');
        const tenant = await tenantOf(stores, slug);
        await stores.tenants.update(tenant.id, { allowUnpricedModels: allow.data === 'yes' });
        out({ tenant: slug, allow_unpriced_models: allow.data === 'yes' });
        process.stderr.write('admin: gateways and orchestrators apply the change within BUDGET_CAP_CACHE_TTL_MS (30 s by default)\n');
        break;
      }
      case 'list-prices': {
        for (const row of await stores.prices.list()) {
          out({ model: row.model, effective_from: row.effectiveFrom, input: row.input, output: row.output, cached_input: row.cachedInput });
        }
        break;
      }
      case 'set-jwt':
      case 'show-jwt':
      case 'clear-jwt': {
        const tenant = await tenantOf(stores, required(values, 'tenant'));
        if (command === 'show-jwt') {
          out(await stores.tenantAuth.get(tenant.id));
          break;
        }
        if (command === 'clear-jwt') {
          const cleared = await stores.tenantAuth.clear(tenant.id);
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
        await stores.tenantAuth.set(tenant.id, settings.data).catch((error: unknown) => {
          if ((error as { code?: string }).code === 'P2002') fail('another tenant already signs in with this issuer and audience');
          throw error;
        });
        out(settings.data);
        break;
      }
      case 'generate-secrets-key': {
        process.stdout.write(`${SecretKeyring.generateEntry(required(values, 'id'))}\n`);
        break;
      }
      case 'rotate-secrets-key': {
        // Never the development keyring here: sealing production rows under it would lock the services out.
        if (!env.SECRETS_KEK) fail('SECRETS_KEK is required (the keyring the services run with, the new key first)');
        const keyring = SecretKeyring.parse(env.SECRETS_KEK);
        const service = new PrismaService({ url: env.DATABASE_URL, poolSize: 1 });
        try {
          const signingKeys = await new WebhookSigningKeys(service, keyring).resealAll();
          const endpoints = await new WebhookEndpoints(service, keyring).resealAll();
          const tools = await new HttpToolStore(service, keyring).resealAll();
          const mcpServers = await new McpServerStore(service, keyring).resealAll();
          process.stdout.write(
            `${JSON.stringify({ key_id: keyring.currentKeyId, webhook_signing_keys: signingKeys, webhook_endpoints: endpoints, tools, mcp_servers: mcpServers })}\n`,
          );
        } finally {
          await service.onApplicationShutdown();
        }
        break;
      }
      case 'reindex': {
        if (!values.all === (values.tenant === undefined)) {
          fail('reindex needs --all or --tenant SLUG (single documents are reindexed with POST /v1/documents/{id}/reindex)');
        }
        const parallel = Number(values.parallel ?? 8);
        if (!Number.isInteger(parallel) || parallel < 1 || parallel > 256) fail('--parallel must be an integer from 1 to 256');
        const tenantIds = values.tenant === undefined ? undefined : [(await tenantOf(stores, values.tenant)).id];
        out(await reindexAll(parallel, tenantIds));
        break;
      }
      default:
        fail(USAGE);
    }
  });
}

/**
 * `reindex --all`: {@link VectorRebuild} over the services' queue and vector store; progress on
 * stderr (one line per change, at most every 5 s), the final report on stdout.
 */
async function reindexAll(parallel: number, tenantIds: string[] | undefined): Promise<unknown> {
  if (!env.REDIS_URL) fail('REDIS_URL is required: the ingestion worker does the rebuild from its queue');
  const prisma = new PrismaService({ url: env.DATABASE_URL, poolSize: 2 });
  const topology = redisTopology({ ...env, REDIS_URL: env.REDIS_URL });
  const redis = createRedisConnection(env.REDIS_URL, { connectionName: 'conduit-admin' }, topology);
  const producer = new JobProducer(redis, { redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX, topology });
  const vectors = createVectorStore(vectorStoreSettings(env));
  const storedPoints = (document: { id: string; tenantId: string; embeddingModel: string; embeddingDimension: number }) =>
    vectors
      .countDocument(vectorSpaceFor(document.embeddingModel, document.embeddingDimension), document.tenantId, document.id)
      .catch((error: unknown) => {
        if (error instanceof VectorSpaceNotFoundError) return 0;
        throw error;
      });
  let printed = '';
  let printedAt = 0;
  const progress = (p: RebuildProgress) => {
    const line =
      `reindex: ${p.documents_done}/${p.documents_total} documents, ${p.chunks_done}/${p.chunks_total} chunks` +
      (p.documents_failed > 0 ? `, ${p.documents_failed} failed` : '') +
      ` (${p.skipped_complete} already complete, ${p.skipped_failed} failed before and left as they are)`;
    if (line === printed || Date.now() - printedAt < 5_000) return;
    printed = line;
    printedAt = Date.now();
    process.stderr.write(`${line}\n`);
  };
  try {
    const report = await new VectorRebuild(prisma, new DocumentIngestProducer(producer), storedPoints).run({
      parallel,
      tenantIds,
      onProgress: progress,
      onStall: (idleMs) => process.stderr.write(`reindex: nothing moved for ${Math.round(idleMs / 1000)} s: is the ingestion worker running?\n`),
    });
    printedAt = 0;
    progress(report);
    return report;
  } finally {
    await producer.onApplicationShutdown();
    redis.disconnect();
    await vectors.close();
    await prisma.onApplicationShutdown();
  }
}

main().catch((error: unknown) => {
  fail(error instanceof Error ? error.message : String(error));
});
