import { z } from 'zod';
import { baseEnv, port } from '@conduit/config';

/** The service's own variables; the MOCK_LLM_* behaviour variables are validated by the mock itself. */
export const mockLlmServiceConfigSchema = z.object({ ...baseEnv, PORT: port(8090) }).transform((env) => ({
  logLevel: env.LOG_LEVEL,
  http: { host: env.HOST, port: env.PORT },
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
}));

export type MockLlmServiceConfig = z.output<typeof mockLlmServiceConfigSchema>;
