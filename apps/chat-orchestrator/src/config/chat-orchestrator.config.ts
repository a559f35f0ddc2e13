import { z } from 'zod';
import { coreSettings, serviceEnv } from '@conduit/config';

export const orchestratorConfigSchema = z.object({ ...serviceEnv(8081) }).transform((env) => ({ ...coreSettings(env) }));

export type OrchestratorConfig = z.output<typeof orchestratorConfigSchema>;
