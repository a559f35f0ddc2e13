import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createPrismaClient } from '@conduit/db';
import { removeTenantIds, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import { RunningService } from './support/service-process';

/**
 * The management plane across processes: the admin API of one gateway changes what a second
 * gateway process admits (revocation within 1 s, scopes, model allow-list, per-key RPM and budget), and
 * billing suspends a tenant whose policy says `on_cost_spike: suspend` when its spend spikes.
 * FREE_MODEL costs nothing; SPIKE_MODEL costs $10 per 1M output tokens (a 10-token answer:
 * $0.0001, a hundred times the tenant's seeded trailing hourly average).
 */
const tag = randomUUID().slice(0, 8);
const FREE_MODEL = `e2e-mgmt-free-${tag}`;
const SPIKE_MODEL = `e2e-mgmt-spike-${tag}`;
const ADMIN_KEY = `admin-${randomUUID()}-${randomUUID()}`;

const llmConfigFile = join(tmpdir(), `conduit-e2e-management-${process.pid}.json`);
writeFileSync(
  llmConfigFile,
  JSON.stringify({
    routes: {
      default: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }],
      'free-e2e': [{ provider: 'openai', model: FREE_MODEL }],
      'spike-e2e': [{ provider: 'openai', model: SPIKE_MODEL }],
    },
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
  }),
);

type Json = Record<string, unknown>;

describe('management plane end to end (two gateway processes, billing)', () => {
  let platform: ChatPlatform;
  let second: RunningService;
  const tenants: string[] = [];

  const adminCall = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const response = await fetch(`${platform.gateway.url}/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as Json;
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const client = (gateway: RunningService, key: string) => new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  const ask = (gateway: RunningService, key: string, model = 'free-e2e') =>
    client(gateway, key).chat.completions.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'Say something long enough please' }] });
  /** The error's status and code, or 200 for a success. */
  const outcome = (call: Promise<unknown>): Promise<{ status: number; code?: string }> =>
    call.then(
      () => ({ status: 200 }),
      (error: unknown) => {
        if (error instanceof OpenAI.APIError) return { status: error.status ?? 0, code: error.code ?? undefined };
        throw error;
      },
    );

  /** A tenant with one user and a key made through the admin API. */
  async function account(key: Json = {}, policy?: Json): Promise<{ tenantId: string; userId: string; keyId: string; secret: string }> {
    const tenant = await adminCall('POST', '/tenants', { name: 'Mgmt e2e', slug: `mgmt-${randomUUID().slice(0, 12)}`, tier: 'pro' });
    const tenantId = tenant.id as string;
    tenants.push(tenantId);
    if (policy) await adminCall('PUT', `/tenants/${tenantId}/policy`, policy);
    const user = await adminCall('POST', `/tenants/${tenantId}/users`, { email: `${randomUUID().slice(0, 8)}@example.test`, tier: 'pro' });
    const created = await adminCall('POST', `/tenants/${tenantId}/keys`, { user_id: user.id, ...key });
    return { tenantId, userId: user.id as string, keyId: created.id as string, secret: created.key as string };
  }

  beforeAll(async () => {
    const prisma = createPrismaClient(process.env.DATABASE_URL ?? '', 2);
    await prisma.modelPrice.createMany({
      data: [
        { model: FREE_MODEL, effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 0, outputUsdPerMtok: 0 },
        { model: SPIKE_MODEL, effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 0, outputUsdPerMtok: 10 },
      ],
    });
    await prisma.$disconnect();
    platform = await startChatPlatform(
      { LLM_CONFIG_FILE: llmConfigFile, LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '10000' },
      { gatewayEnv: { ADMIN_API_KEY: ADMIN_KEY }, billingEnv: { ALERT_SPIKE_MIN_USD: '0.00001' } },
    );
    second = await platform.startGateway();
  });

  afterAll(async () => {
    if (!platform) return;
    await removeTenantIds(platform.prisma, tenants);
    await platform.prisma.modelPrice.deleteMany({ where: { model: { in: [FREE_MODEL, SPIKE_MODEL] } } });
    await platform.stop();
  });

  it('refuses a key revoked on one gateway on the other gateway process by announcement, long before its 60 s cache entry expires', async () => {
    const { tenantId, keyId, secret } = await account();
    // Both processes have authenticated (and cached) the key.
    expect(await outcome(ask(platform.gateway, secret))).toEqual({ status: 200 });
    expect(await outcome(ask(second, secret))).toEqual({ status: 200 });
    await adminCall('POST', `/tenants/${tenantId}/keys/${keyId}/revoke`);
    // The probe is a route the gateway answers itself, so its own latency stays small on a loaded machine.
    const probe = async () => {
      const response = await fetch(`${second.url}/v1/sessions?limit=1`, { headers: { authorization: `Bearer ${secret}` } });
      return { status: response.status, code: response.status === 200 ? undefined : ((await response.json()) as { error: { code: string } }).error.code };
    };
    const refused = await waitFor(probe, { what: 'the second gateway to refuse the revoked key', until: (result) => result.status === 401, timeoutMs: 10_000 });
    expect(refused).toEqual({ status: 401, code: 'invalid_api_key' });
  });

  it('gives a key scoped to jobs 403 on chat, and a model outside the allow-list 403 model_not_allowed', async () => {
    const jobsOnly = await account({ scopes: ['jobs'] });
    expect(await outcome(ask(second, jobsOnly.secret))).toEqual({ status: 403, code: 'insufficient_scope' });
    const limited = await account({ allowed_models: ['free-*'] });
    expect(await outcome(ask(second, limited.secret, 'free-e2e'))).toEqual({ status: 200 });
    expect(await outcome(ask(second, limited.secret, 'spike-e2e'))).toEqual({ status: 403, code: 'model_not_allowed' });
    // Async jobs hold the same allow-list.
    const job = await fetch(`${second.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${limited.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'chat.completion', input: { model: 'spike-e2e', messages: [{ role: 'user', content: 'hi' }] } }),
    });
    expect(job.status).toBe(403);
    expect(((await job.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: 'model_not_allowed', param: 'input.model' });
  });

  it("holds a key's own RPM", async () => {
    const { secret } = await account({ rpm: 2 });
    const view = (await (await fetch(`${second.url}/v1/budget`, { headers: { authorization: `Bearer ${secret}` } })).json()) as { rate_limits: { api_key: Json } };
    expect(view.rate_limits.api_key).toMatchObject({ requests_per_minute: 2 });
    expect(await outcome(ask(second, secret))).toEqual({ status: 200 });
    expect(await outcome(ask(second, secret))).toEqual({ status: 200 });
    expect(await outcome(ask(second, secret))).toEqual({ status: 429, code: 'rate_limit_exceeded' });
  });

  it("holds a key's own budget (402 budget_exceeded naming the key's cap) while another key of the same user goes on", async () => {
    const { tenantId, userId, keyId, secret } = await account();
    const sibling = await adminCall('POST', `/tenants/${tenantId}/keys`, { user_id: userId });
    // A 10-token answer of spike-e2e costs (and reserves) $0.0001: one fits under $0.00015, two do not.
    await adminCall('PUT', `/tenants/${tenantId}/budgets`, { scope: 'key', subject_id: keyId, period: 'daily', cap_usd: 0.00015 });
    expect(await outcome(ask(second, secret, 'spike-e2e'))).toEqual({ status: 200 });
    const refused = await fetch(`${second.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'spike-e2e', max_tokens: 10, messages: [{ role: 'user', content: 'Say something long enough please' }] }),
    });
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: Json }).error).toMatchObject({ code: 'budget_exceeded', budget: { scope: 'key', period: 'daily', subject_id: keyId } });
    expect(await outcome(ask(second, sibling.key as string, 'spike-e2e'))).toEqual({ status: 200 });
    // The key's caller sees its key's budget beside its own and its tenant's.
    const view = (await (await fetch(`${platform.gateway.url}/v1/budget`, { headers: { authorization: `Bearer ${secret}` } })).json()) as { budgets: Json[] };
    expect(view.budgets).toContainEqual(expect.objectContaining({ scope: 'key', period: 'daily', cap_usd: 0.00015, source: 'override' }));
  });

  it("stops a tenant's next request with 403 tenant_suspended after a spend spike under on_cost_spike: suspend", async () => {
    const { tenantId, secret } = await account({}, { on_cost_spike: 'suspend' });
    // Trailing 24 h: $0.000024 in total → $0.000001 an hour.
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    await platform.prisma.usageHourly.create({ data: { tenantId, hour: new Date(hour.getTime() - 5 * 3_600_000), requests: 1, costUsd: 0.000024 } });
    expect(await outcome(ask(second, secret, 'spike-e2e'))).toEqual({ status: 200 });
    const stopped = await waitFor(() => outcome(ask(second, secret, 'free-e2e')), {
      what: 'the tenant to be suspended after its spike',
      until: (result) => result.status === 403,
      timeoutMs: 20_000,
    });
    expect(stopped).toEqual({ status: 403, code: 'tenant_suspended' });
    expect(await adminCall('GET', `/tenants/${tenantId}`)).toMatchObject({ suspended: true, suspended_reason: 'cost_spike' });
    // The suspension comes first (so the next request is refused); the alert row follows it.
    const [alert] = await waitFor(() => platform.prisma.costAlert.findMany({ where: { tenantId, kind: 'spend_spike' } }), {
      what: 'the spend_spike alert to be stored',
      until: (alerts) => alerts.length > 0,
      timeoutMs: 20_000,
    });
    expect(alert.details).toMatchObject({ action: 'suspended' });
    // An admin resumes it.
    await adminCall('POST', `/tenants/${tenantId}/resume`);
    await waitFor(() => outcome(ask(second, secret, 'free-e2e')), { what: 'the resumed tenant to be admitted', until: (result) => result.status === 200, timeoutMs: 10_000 });
  });
});
