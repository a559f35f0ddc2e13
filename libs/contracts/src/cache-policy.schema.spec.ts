import { resolveTenantPolicy } from './tenant-policy.schema';

describe('tenant policy: cache section', () => {
  it('is off by default, for a tenant with no document and one without the section', () => {
    expect(resolveTenantPolicy(undefined, 0).cache).toEqual({
      mode: 'off',
      scope: 'tenant',
      ttl_seconds: 3_600,
      max_entries: 10_000,
      max_bytes: 50 * 1_048_576,
      serve_stale_on_error: false,
      max_stale_seconds: 86_400,
      semantic: { threshold: 0.95, max_messages: 1, allow_hashing_embedder: false },
      retrieval: { enabled: false, ttl_seconds: 600 },
    });
    expect(resolveTenantPolicy({ guardrails: {} }, 1).cache.mode).toBe('off');
  });

  it('takes the semantic mode with its own defaults filled in', () => {
    expect(resolveTenantPolicy({ cache: { mode: 'semantic', semantic: { threshold: 0.9 } } }, 1).cache).toMatchObject({
      mode: 'semantic',
      semantic: { threshold: 0.9, max_messages: 1, allow_hashing_embedder: false },
    });
  });

  it('takes the retrieval cache on its own, whatever the response cache mode', () => {
    expect(resolveTenantPolicy({ cache: { retrieval: { enabled: true } } }, 1).cache).toMatchObject({ mode: 'off', retrieval: { enabled: true, ttl_seconds: 600 } });
  });

  it('fills in what a section leaves out', () => {
    expect(resolveTenantPolicy({ cache: { mode: 'exact', scope: 'user' } }, 1).cache).toMatchObject({ mode: 'exact', scope: 'user', ttl_seconds: 3_600 });
  });

  it.each([
    [{ cache: { mode: 'similar' } }, 'cache.mode'],
    [{ cache: { semantic: { threshold: 0.2 } } }, 'cache.semantic.threshold'],
    [{ cache: { semantic: { top_k: 3 } } }, 'cache.semantic'],
    [{ cache: { mode: 'exact', ttl: 5 } }, 'cache'],
    [{ cache: { ttl_seconds: 0 } }, 'cache.ttl_seconds'],
    [{ cache: { max_bytes: 10 } }, 'cache.max_bytes'],
    [{ cache: { serve_stale_on_error: 'yes' } }, 'cache.serve_stale_on_error'],
    [{ cache: { max_stale_seconds: 0 } }, 'cache.max_stale_seconds'],
    [{ cache: { retrieval: { enabled: 'yes' } } }, 'cache.retrieval.enabled'],
    [{ cache: { retrieval: { ttl_seconds: 0 } } }, 'cache.retrieval.ttl_seconds'],
  ])('refuses %j, naming %s', (document, path) => {
    expect(() => resolveTenantPolicy(document, 1)).toThrow(path.split('.').pop());
  });
});
