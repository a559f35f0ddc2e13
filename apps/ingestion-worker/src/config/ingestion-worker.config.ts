import { z } from 'zod';
import { coreSettings, serviceEnv } from '@conduit/config';

export const ingestionConfigSchema = z.object({ ...serviceEnv(8082) }).transform((env) => ({ ...coreSettings(env) }));

export type IngestionConfig = z.output<typeof ingestionConfigSchema>;
