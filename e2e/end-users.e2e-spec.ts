import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConduitHeader } from '@conduit/contracts';
import { createPrismaClient } from '@conduit/db';
import { createScopedKey, createTenantWithUser, removeTenants, startTestIssuer, TenantWithUser, TestIssuer, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';

/**
 * End users of a tenant's application, named by one service key, across gateway → orchestrator →
 * billing as processes: each is a user of its own for sessions, rate limits and budgets. Also the
 * gateway's browser edge as deployed (CORS_ALLOWED_ORIGINS).
 *
 * Prices: PRICED_MODEL costs $10 per 1M output tokens, so a call with max_tokens 10 reserves $0.0001;
 * FREE_MODEL costs nothing.
 */
const tag = randomUUID().slice(0, 8);
const PRICED_MODEL = `e2e-endusers-priced-${tag}`;
const FREE_MODEL = `e2e-endusers-free-${tag}`;
const USER_RPM = 3;
const APP_ORIGIN = 'https://app.example.test';

const llmConfigFile = join(tmpdir(), `conduit-e2e-end-users-${process.pid}.json`);
writeFileSync(
  llmConfigFile,
  JSON.stringify({
    routes: {
      default: [{ provider: 'openai', model: FREE_MODEL }],
      'priced-e2e': [{ provider: 'openai', model: PRICED_MODEL }],
    },
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
  }),
);

interface ErrorBody {
  error: { code: string; param?: string | null; rate_limit?: Record<string, unknown>; budget?: Record<string, unknown> };
}

describe('end users named by a service key, end to end', () => {
  let platform: ChatPlatform;
  let acme: TenantWithUser;
  let serviceKey: string;

  const chat = (key: string, headers: Record<string, string> = {}, body: Record<string, unknown> = {}) =>
    fetch(`${platform.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 10, ...body }),
    });
  const asEndUser = (name: string) => ({ [ConduitHeader.EndUser]: name });
  // The conversation is stored as the answer is sent: wait for its row.
  const storedSession = (id: string | null) =>
    waitFor(() => platform.prisma.session.findUnique({ where: { id: id ?? '' } }), { what: `session ${id} to be stored` });
  const endUserRow = (externalId: string) =>
    platform.prisma.user.findUnique({ where: { tenantId_externalId: { tenantId: acme.tenant.id, externalId } } });

  beforeAll(async () => {
    const prisma = createPrismaClient(process.env.DATABASE_URL ?? '', 2);
    await prisma.modelPrice.createMany({
      data: [
        { model: PRICED_MODEL, effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 0, outputUsdPerMtok: 10 },
        { model: FREE_MODEL, effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 0, outputUsdPerMtok: 0 },
      ],
    });
    await prisma.$disconnect();
    platform = await startChatPlatform(
      { LLM_CONFIG_FILE: llmConfigFile, LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '10000' },
      {
        gatewayEnv: {
          TIER_POLICY: JSON.stringify({ free: { user_rpm: USER_RPM, key_rpm: 1_000 } }),
          CORS_ALLOWED_ORIGINS: APP_ORIGIN,
          // A cap set on an end user who already called holds from the next call.
          BUDGET_CAP_CACHE_TTL_MS: '0',
        },
      },
    );
    acme = await createTenantWithUser(platform.prisma);
    // A service key of the application: it names the end users it acts for.
    serviceKey = (await createScopedKey(platform.prisma, acme.tenant, ['chat', 'jobs', 'act_for_users'])).apiKey;
  });

  afterAll(async () => {
    if (!platform) return;
    if (acme) await removeTenants(platform.prisma, [acme.tenant]);
    await platform.prisma.modelPrice.deleteMany({ where: { model: { in: [PRICED_MODEL, FREE_MODEL] } } });
    await platform.stop();
  });

  it("stores each end user's conversation as theirs: another end user of the same key gets 404", async () => {
    const answer = await chat(serviceKey, asEndUser('alice'));
    expect(answer.status).toBe(200);
    const sessionId = answer.headers.get(ConduitHeader.SessionId) ?? '';
    const alice = await endUserRow('alice');
    expect(alice).not.toBeNull();
    expect((await storedSession(sessionId)).userId).toBe(alice?.id);

    const read = (name: string) =>
      fetch(`${platform.gateway.url}/v1/sessions/${sessionId}`, { headers: { authorization: `Bearer ${serviceKey}`, ...asEndUser(name) } });
    await storedSession(sessionId);
    expect((await read('alice')).status).toBe(200);
    const bob = await read('bob');
    expect(bob.status).toBe(404);
    expect(((await bob.json()) as ErrorBody).error.code).toBe('session_not_found');
  });

  it('takes the end user from the OpenAI user field when no header names one', async () => {
    const answer = await chat(serviceKey, {}, { user: 'carol' });
    expect(answer.status).toBe(200);
    const carol = await endUserRow('carol');
    const session = await storedSession(answer.headers.get(ConduitHeader.SessionId));
    expect(session.userId).toBe(carol?.id);
  });

  it("takes the end user of a job from its input's user field", async () => {
    const submitted = await fetch(`${platform.gateway.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'chat.completion', input: { model: 'default', messages: [{ role: 'user', content: 'Later, please' }], user: 'dana' } }),
    });
    expect(submitted.status).toBe(202);
    const job = await platform.prisma.job.findUniqueOrThrow({ where: { id: ((await submitted.json()) as { id: string }).id } });
    expect(job.userId).toBe((await endUserRow('dana'))?.id);
  });

  it("signs a browser's end user in with the tenant's JWT", async () => {
    const idp: TestIssuer = await startTestIssuer();
    try {
      await platform.prisma.tenantAuth.create({ data: { tenantId: acme.tenant.id, jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: 'conduit-e2e' } });
      const token = await idp.sign({ sub: 'erin', aud: 'conduit-e2e' });
      const answer = await fetch(`${platform.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', origin: APP_ORIGIN },
        body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'Hi from the browser' }], max_tokens: 10 }),
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      const session = await storedSession(answer.headers.get(ConduitHeader.SessionId));
      expect(session.userId).toBe((await endUserRow('erin'))?.id);

      const expired = await idp.sign({ sub: 'erin', aud: 'conduit-e2e' }, { expiresAt: Math.floor(Date.now() / 1000) - 600 });
      const refused = await chat(expired);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as ErrorBody).error.code).toBe('token_expired');
    } finally {
      await idp.close();
    }
  });

  it('lets a key without act_for_users name nobody: 403 with the header; the user field keeps its OpenAI meaning', async () => {
    const refused = await chat(acme.apiKey, asEndUser('zed'));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ErrorBody).error).toMatchObject({ code: 'end_user_not_allowed', param: ConduitHeader.EndUser });

    const served = await chat(acme.apiKey, {}, { user: 'zed' });
    expect(served.status).toBe(200);
    const session = await storedSession(served.headers.get(ConduitHeader.SessionId));
    expect(session.userId).toBe(acme.user.id);
    expect(await endUserRow('zed')).toBeNull();
  });

  it('gives each end user their own requests-per-minute limit', async () => {
    const first = `rpm-a-${randomBytes(3).toString('hex')}`;
    const second = `rpm-b-${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < USER_RPM; i += 1) expect((await chat(serviceKey, asEndUser(first))).status).toBe(200);
    const limited = await chat(serviceKey, asEndUser(first));
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as ErrorBody).error).toMatchObject({ code: 'rate_limit_exceeded', rate_limit: { subject: 'user', dimension: 'requests', limit: USER_RPM } });
    // The other end user of the same key is not held back.
    expect((await chat(serviceKey, asEndUser(second))).status).toBe(200);
  });

  it('holds each end user to their own budget', async () => {
    const capped = `budget-a-${randomBytes(3).toString('hex')}`;
    const free = `budget-b-${randomBytes(3).toString('hex')}`;
    for (const name of [capped, free]) expect((await chat(serviceKey, asEndUser(name))).status).toBe(200);
    const row = await endUserRow(capped);
    // Half of one priced call.
    await platform.prisma.budgetCap.create({
      data: { tenantId: acme.tenant.id, scope: 'user', subjectId: row?.id ?? '', userId: row?.id ?? null, period: 'daily', capUsd: 0.00005 },
    });
    const refused = await chat(serviceKey, asEndUser(capped), { model: 'priced-e2e' });
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as ErrorBody).error).toMatchObject({ code: 'budget_exceeded', budget: { scope: 'user' } });
    expect((await chat(serviceKey, asEndUser(free), { model: 'priced-e2e' })).status).toBe(200);
  });

  it('serves browsers of the configured origin: preflight without a key, CORS and security headers on answers', async () => {
    const preflight = (origin: string) =>
      fetch(`${platform.gateway.url}/v1/chat/completions`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    const allowed = await preflight(APP_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    const other = await preflight('https://other.example.test');
    expect(other.status).toBe(204);
    expect([...other.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);

    const answer = await chat(serviceKey, { origin: APP_ORIGIN, ...asEndUser('browser-user') });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(answer.headers.get('access-control-expose-headers')).toContain(ConduitHeader.SessionId);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('x-powered-by')).toBeNull();
  });
});
