import { z } from 'zod';
import { loadConfig } from '@conduit/config';
import { resolveCaps } from './caps';
import { DEFAULT_TIER_POLICY, tierPolicyEnv, tierPolicyFromEnv } from './tier-policy';

const schema = z.object(tierPolicyEnv);

describe('tier policy', () => {
  it('has no cost caps by default, so nobody is blocked for money unless configured', () => {
    for (const tier of ['free', 'pro', 'enterprise'] as const) {
      const caps = resolveCaps(DEFAULT_TIER_POLICY, { userTier: tier, tenantTier: tier }, []);
      expect([caps.user.daily.usd, caps.user.monthly.usd, caps.tenant.daily.usd, caps.tenant.monthly.usd]).toEqual([null, null, null, null]);
    }
  });

  it('merges TIER_POLICY over the defaults, field by field', () => {
    const env = loadConfig(schema, { TIER_POLICY: '{"free":{"user_daily_usd":1.5,"key_rpm":10},"pro":{"user_tpm":null}}' });
    const policy = tierPolicyFromEnv(env);
    expect(policy.free).toMatchObject({ user_daily_usd: 1.5, key_rpm: 10, key_tpm: DEFAULT_TIER_POLICY.free.key_tpm });
    expect(policy.pro.user_tpm).toBeNull();
    expect(policy.enterprise).toEqual(DEFAULT_TIER_POLICY.enterprise);
  });

  it('names the bad field of a malformed TIER_POLICY', () => {
    expect(() => loadConfig(schema, { TIER_POLICY: '{"free":{"key_rpm":-1}}' })).toThrow(/TIER_POLICY\.free\.key_rpm/);
    expect(() => loadConfig(schema, { TIER_POLICY: '{"gold":{}}' })).toThrow(/TIER_POLICY/);
    expect(() => loadConfig(schema, { TIER_POLICY: 'not json' })).toThrow(/TIER_POLICY must be JSON/);
  });

  it('lets an override replace a tier default, including "no cap"', () => {
    const policy = tierPolicyFromEnv({ TIER_POLICY: { free: { user_daily_usd: 2, tenant_monthly_usd: 100 } } });
    const caps = resolveCaps(policy, { userTier: 'free', tenantTier: 'pro' }, [
      { scope: 'user', period: 'daily', usd: null },
      { scope: 'user', period: 'monthly', usd: 20 },
    ]);
    expect(caps.user.daily).toEqual({ usd: null, source: 'override' });
    expect(caps.user.monthly).toEqual({ usd: 20, source: 'override' });
    // The tenant's caps follow the tenant's tier (pro: none), not the user's.
    expect(caps.tenant.monthly).toEqual({ usd: null, source: 'tier_default' });
  });
});
