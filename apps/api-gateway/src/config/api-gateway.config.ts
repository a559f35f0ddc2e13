import { z } from 'zod';
import { coreSettings, serviceEnv } from '@conduit/config';

export const gatewayConfigSchema = z.object({ ...serviceEnv(8080) }).transform((env) => ({ ...coreSettings(env) }));

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
