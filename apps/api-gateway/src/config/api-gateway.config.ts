import { z } from 'zod';
import { coreSettings, secret, serviceEnv } from '@conduit/config';

export const gatewayConfigSchema = z
  .object({
    ...serviceEnv(8080),
    CHAT_ORCHESTRATOR_URL: z.url().default('http://127.0.0.1:8081'),
    INTERNAL_TOKEN: secret(z.string().min(16, 'must be at least 16 characters')).optional(),
    MAX_TOKENS_LIMIT: z.coerce.number().int().min(1).default(32_768),
    MAX_BODY_BYTES: z.coerce.number().int().min(1_024).default(1_048_576),
    ORCHESTRATOR_CONNECTIONS: z.coerce.number().int().min(1).max(4_096).default(256),
  })
  .transform((env) => ({
    ...coreSettings(env),
    bodyLimitBytes: env.MAX_BODY_BYTES,
    chat: {
      orchestratorUrl: env.CHAT_ORCHESTRATOR_URL,
      internalToken: env.INTERNAL_TOKEN,
      maxTokensLimit: env.MAX_TOKENS_LIMIT,
      connections: env.ORCHESTRATOR_CONNECTIONS,
    },
  }));

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
