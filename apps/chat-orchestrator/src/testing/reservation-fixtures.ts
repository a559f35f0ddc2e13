import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { BUDGET_REDIS, BudgetCapStore, UsageControls, UsageKeys } from '@conduit/budget';
import { waitFor } from '@conduit/testing';
import type { TestOwner } from './fixtures';
import type { OrchestratorTestApp } from './orchestrator-test-app';

/** Budget reservations as the gateway's admission makes them, and their state in Redis. */
export function reservations(t: OrchestratorTestApp, estimateNano = 5_000_000) {
  const controls = t.app.get(UsageControls);
  const caps = t.app.get(BudgetCapStore);
  const redis = t.app.get<Redis>(BUDGET_REDIS);
  const keys = new UsageKeys(t.queuePrefix);

  const record = async (owner: TestOwner, reservationId: string) => {
    const [state, amount] = await redis.hmget(keys.reservation(owner.tenantId, reservationId), 'state', 'amount');
    return { state, amount: Number(amount) };
  };

  return {
    /** A held reservation for the owner. */
    async hold(owner: TestOwner): Promise<string> {
      const reservationId = randomUUID();
      const outcome = await controls.admit({
        reservationId,
        tenantId: owner.tenantId,
        userId: owner.userId,
        apiKeyId: null,
        estimateNano,
        estimateTokens: 100,
        caps: await caps.capsFor(owner.tenantId, owner.userId, { userTier: 'pro', tenantTier: 'pro' }),
        rate: caps.rateLimitsFor('enterprise'),
      });
      if (!outcome.admitted) throw new Error('the test reservation was not admitted');
      return reservationId;
    },
    record,
    /** Waits until the reservation is settled or released. */
    ended: (owner: TestOwner, reservationId: string) =>
      waitFor(() => record(owner, reservationId), { what: `reservation ${reservationId} to end`, until: (r) => r.state !== 'held' }),
  };
}
