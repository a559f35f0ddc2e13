import { z } from 'zod';
import { coreSettings, serviceEnv } from '@conduit/config';

export const evalWorkerConfigSchema = z.object({ ...serviceEnv(8083) }).transform((env) => ({ ...coreSettings(env) }));

export type EvalWorkerConfig = z.output<typeof evalWorkerConfigSchema>;
