import type { GuardrailsPolicy } from '@conduit/contracts';
import { PiiScanner, redact, type RedactionPolicy, typesOf } from '@conduit/guardrails';

/**
 * The tenant's PII guard, applied to a memory before it is stored: every entity type the tenant
 * guards (`redact`, `mask` or `block` in `guardrails.pii.entities`) is masked (`[redacted:email]`)
 * — a memory outlives the request, so there is no placeholder to put back. Undefined when the
 * tenant guards no type.
 */
export function memoryPiiGuard(policy: GuardrailsPolicy): ((text: string) => string) | undefined {
  const entities = policy.pii.entities as RedactionPolicy;
  const types = typesOf(entities);
  if (types.length === 0) return undefined;
  const masked: RedactionPolicy = Object.fromEntries(types.map((type) => [type, 'mask']));
  const scanner = new PiiScanner(types);
  return (text) => redact(text, masked, scanner).text;
}
