import { resolveTenantPolicy } from './tenant-policy.schema';

describe('tenant policy: cache section', () => {
  it('is off by default, for a tenant with no document and one without the section', () => {
    expect(resolveTenantPolicy(undefined, 0).cache).toEqual({ mode: 'off', scope: 'tenant', ttl_seconds: 3_600, max_entries: 10_000, max_bytes: 50 * 1_048_576 });
    expect(resolveTenantPolicy({ guardrails: {} }, 1).cache.mode).toBe('off');
  });

  it('fills in what a section leaves out', () => {
    expect(resolveTenantPolicy({ cache: { mode: 'exact', scope: 'user' } }, 1).cache).toMatchObject({ mode: 'exact', scope: 'user', ttl_seconds: 3_600 });
  });

  it.each([
    [{ cache: { mode: 'semantic' } }, 'cache.mode'],
    [{ cache: { mode: 'exact', ttl: 5 } }, 'cache'],
    [{ cache: { ttl_seconds: 0 } }, 'cache.ttl_seconds'],
    [{ cache: { max_bytes: 10 } }, 'cache.max_bytes'],
  ])('refuses %j, naming %s', (document, path) => {
    expect(() => resolveTenantPolicy(document, 1)).toThrow(path.split('.').pop());
  });
});
