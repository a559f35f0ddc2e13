import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrismaClient } from '@conduit/db';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import type { RunningService } from './support/service-process';

/**
 * Two replicas of each service at once, as processes: gateways A and B (A → orchestrator A,
 * B → orchestrator B, as two Service endpoints would spread them) and two billing workers on the
 * same usage queue, all on one Postgres and one Redis. Under a burst split over both gateways the
 * budget stays exact and every answered call is billed exactly once. (Leader-only loops — the
 * job and webhook reconcilers — take a Redis lock per pass: `libs/queue/src/leader-interval.int-spec.ts`.)
 * Priced model: input free, output $10 per 1M tokens; max_tokens 10 → $0.0001 per call.
 */
const tag = randomUUID().slice(0, 8);
const MODEL = `e2e-replicas-${tag}`;
const MAX_TOKENS = 10;
const CALL_USD = (MAX_TOKENS * 10) / 1_000_000;
const PROMPT = 'Please repeat these words back to me: alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa';

const llmConfigFile = join(tmpdir(), `conduit-e2e-replicas-${process.pid}.json`);
writeFileSync(
  llmConfigFile,
  JSON.stringify({
    routes: { default: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }], 'replicas-e2e': [{ provider: 'openai', model: MODEL }] },
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
  }),
);

/** The sum of a counter's series matching `labels` on a service's `/metrics` page. */
async function counterSum(service: RunningService, name: string, labels: string): Promise<number> {
  const page = await (await fetch(`${service.url}/metrics`)).text();
  return page
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('two replicas of each service under load', () => {
  let platform: ChatPlatform;
  let gatewayB: RunningService;
  let billingB: RunningService;
  const tenants: TenantWithUser[] = [];

  beforeAll(async () => {
    const prisma = createPrismaClient(process.env.DATABASE_URL ?? '', 2);
    await prisma.modelPrice.create({ data: { model: MODEL, effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 0, outputUsdPerMtok: 10 } });
    await prisma.$disconnect();
    platform = await startChatPlatform({ LLM_CONFIG_FILE: llmConfigFile, LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '10000' });
    const [orchestratorB, billing] = await Promise.all([platform.startOrchestratorReplica(), platform.startBillingReplica()]);
    billingB = billing;
    gatewayB = await platform.startGateway({ CHAT_ORCHESTRATOR_URL: orchestratorB.url });
  });

  afterAll(async () => {
    if (!platform) return;
    await removeTenants(platform.prisma, tenants.map((t) => t.tenant));
    await platform.prisma.modelPrice.deleteMany({ where: { model: MODEL } });
    await platform.stop();
  });

  it('a 200-call burst over both gateways with budget for exactly 50: never more answered, exactly 50 fit in all, each billed once', async () => {
    const alice = await createTenantWithUser(platform.prisma, { tier: 'pro' });
    tenants.push(alice);
    await platform.prisma.budgetCap.create({
      data: { tenantId: alice.tenant.id, scope: 'user', subjectId: alice.user.id, userId: alice.user.id, period: 'daily', capUsd: 50.5 * CALL_USD },
    });
    const recordedBefore = (await counterSum(platform.billing, 'conduit_billing_events_total', 'outcome="recorded"')) + (await counterSum(billingB, 'conduit_billing_events_total', 'outcome="recorded"'));
    // Slow answers keep the admitted calls in flight while the rest arrive at either gateway.
    platform.mock.state.faults.add({ match: { model: MODEL }, fault: { latency_ms: 2_500 } });
    const gateways = [platform.gateway, gatewayB];
    // As a client does: a 503 (admission could not reach Redis in time on this loaded machine)
    // is tried again after its retry-after; it was never admitted, so it holds no budget.
    const call = async (gateway: RunningService): Promise<{ status: number; body: { error?: { code: string } } }> => {
      for (let attempt = 1; ; attempt += 1) {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${alice.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'replicas-e2e', max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: PROMPT }] }),
        });
        const body = (await response.json()) as { error?: { code: string } };
        if (response.status !== 503 || attempt === 10) return { status: response.status, body };
        await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1_000));
      }
    };
    const responses = await Promise.all(Array.from({ length: 200 }, (_, n) => call(gateways[n % 2])));
    platform.mock.state.faults.clear();
    const burst: Record<string, number> = {};
    for (const r of responses) burst[`${r.status} ${r.body.error?.code ?? 'ok'}`] = (burst[`${r.status} ${r.body.error?.code ?? 'ok'}`] ?? 0) + 1;
    // Never more than the budget allows, and every refusal a budget refusal (or a 503 retried out).
    expect(burst['200 ok'] ?? 0).toBeLessThanOrEqual(50);
    expect(Object.keys(burst).filter((outcome) => !['200 ok', '402 budget_exceeded', '503 usage_controls_unavailable'].includes(outcome))).toEqual([]);

    // Once every reservation is settled or released, what the burst did not use is still there:
    // calls one at a time, alternating gateways, are answered until exactly 50 fit in all.
    const budgetNow = () =>
      waitFor(
        async () => (await (await fetch(`${gatewayB.url}/v1/budget`, { headers: { authorization: `Bearer ${alice.apiKey}` } })).json()) as { budgets: { scope: string; period: string; spent_usd: number; reserved_usd: number }[] },
        { what: 'every reservation settled or released', until: (b) => b.budgets[0]?.reserved_usd === 0, timeoutMs: 30_000 },
      );
    await budgetNow();
    let answered = burst['200 ok'] ?? 0;
    for (let n = 0; ; n += 1) {
      const r = await call(gateways[n % 2]);
      if (r.status !== 200) {
        expect(r.body.error?.code).toBe('budget_exceeded');
        break;
      }
      answered += 1;
      expect(answered).toBeLessThanOrEqual(50);
    }
    expect(answered).toBe(50);

    // Every answered call is one ledger row and one assistant message, whichever replicas served and billed it.
    const ledger = await waitFor(
      () => platform.prisma.usageEvent.aggregate({ where: { userId: alice.user.id }, _count: true, _sum: { costUsd: true } }),
      { what: '50 calls in the ledger', until: (l) => l._count >= 50, timeoutMs: 30_000 },
    );
    expect(ledger._count).toBe(50);
    expect(Number(ledger._sum.costUsd)).toBeCloseTo(50 * CALL_USD, 9);
    const messages = await platform.prisma.message.findMany({ where: { userId: alice.user.id, role: 'assistant' }, select: { costUsd: true } });
    expect(messages).toHaveLength(50);
    const recorded = (await counterSum(platform.billing, 'conduit_billing_events_total', 'outcome="recorded"')) + (await counterSum(billingB, 'conduit_billing_events_total', 'outcome="recorded"'));
    expect(recorded - recordedBefore).toBe(50);

    // The budget, read through the other gateway: exactly the 50 calls spent, nothing left held.
    expect((await budgetNow()).budgets[0]).toMatchObject({ scope: 'user', period: 'daily', spent_usd: expect.closeTo(50 * CALL_USD, 9) });
    // A call after the burst is still refused, by either gateway.
    for (const gateway of gateways) {
      const after = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'replicas-e2e', max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: PROMPT }] }),
      });
      expect(after.status).toBe(402);
    }
  });
});
