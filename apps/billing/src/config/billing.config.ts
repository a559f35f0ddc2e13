import { z } from 'zod';
import { coreSettings, serviceEnv } from '@conduit/config';

export const billingConfigSchema = z.object({ ...serviceEnv(8084) }).transform((env) => ({ ...coreSettings(env) }));

export type BillingConfig = z.output<typeof billingConfigSchema>;
