import { z } from 'zod';

/**
 * The `degradation` section of a tenant's policy: what a chat does when a secondary system is
 * down. `retrieval` (the vector store, or the query embedder, does not answer): `fail` (default)
 * refuses a grounded request with 503 `retrieval_unavailable`; `answer_without` answers without
 * the documents, saying so in `x-conduit-degraded: retrieval` and on the stored message
 * (`metadata.degraded`). The response cache is always bypassed when Redis is down.
 */
export const degradationPolicySchema = z.strictObject({
  retrieval: z.enum(['fail', 'answer_without']).default('fail'),
});
export type DegradationPolicy = z.output<typeof degradationPolicySchema>;

export const DEFAULT_DEGRADATION_POLICY: DegradationPolicy = Object.freeze(degradationPolicySchema.parse({}));
