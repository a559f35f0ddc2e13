import { z } from 'zod';
import { policyErrorOf } from './guardrails-policy.schema';
import { resolveTenantPolicy, tenantPolicyDocumentSchema } from './tenant-policy.schema';

describe('tenant policy: tracing section', () => {
  it('captures no content by default, for a tenant with no document and one without the section', () => {
    expect(resolveTenantPolicy(undefined, 0).tracing).toEqual({ capture_content: false, max_chars: 4_000 });
    expect(resolveTenantPolicy({ cache: { mode: 'exact' } }, 1).tracing.capture_content).toBe(false);
  });

  it('fills in what the section leaves out', () => {
    expect(resolveTenantPolicy({ tracing: { capture_content: true } }, 1).tracing).toEqual({ capture_content: true, max_chars: 4_000 });
    expect(resolveTenantPolicy({ tracing: { max_chars: 200 } }, 1).tracing).toEqual({ capture_content: false, max_chars: 200 });
  });

  it.each([
    [{ tracing: { capture_content: 'yes' } }, 'tracing.capture_content'],
    [{ tracing: { max_chars: 0 } }, 'tracing.max_chars'],
    [{ tracing: { max_chars: 32_001 } }, 'tracing.max_chars'],
    [{ tracing: { max_chars: 12.5 } }, 'tracing.max_chars'],
    [{ tracing: { capture: true } }, 'tracing.capture'],
  ])('refuses %j, naming %s', (document, path) => {
    const result = tenantPolicyDocumentSchema.safeParse(document);
    expect(result.success).toBe(false);
    expect(policyErrorOf(result.error as z.ZodError).param).toBe(path);
  });
});
