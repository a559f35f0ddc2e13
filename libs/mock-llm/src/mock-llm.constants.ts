/** Largest accepted request body: long prompts and embedding batches exceed Fastify's 1 MiB default. */
export const MOCK_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

/** Prefix of the control endpoints (fault rules, request log). */
export const MOCK_CONTROL_PREFIX = '/_mock';
