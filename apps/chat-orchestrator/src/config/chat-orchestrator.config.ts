import { z } from 'zod';
import { coreSettings, secret, serviceEnv } from '@conduit/config';

export const orchestratorConfigSchema = z
  .object({
    ...serviceEnv(8081),
    INTERNAL_TOKEN: secret(z.string().min(16, 'must be at least 16 characters')).optional(),
    CHAT_HISTORY_MAX_MESSAGES: z.coerce.number().int().min(0).max(500).default(20),
    CHAT_HISTORY_MAX_TOKENS: z.coerce.number().int().min(0).max(1_000_000).default(4_000),
  })
  .transform((env) => ({
    ...coreSettings(env),
    chat: {
      internalToken: env.INTERNAL_TOKEN,
      history: { maxMessages: env.CHAT_HISTORY_MAX_MESSAGES, maxTokens: env.CHAT_HISTORY_MAX_TOKENS },
    },
  }));

export type OrchestratorConfig = z.output<typeof orchestratorConfigSchema>;
