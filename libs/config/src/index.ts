export { ConfigValidationError, loadConfig, loadConfigOrExit } from './load-config';
export {
  baseEnv,
  coreSettings,
  databaseEnv,
  describeConfig,
  envBoolean,
  httpEnv,
  port,
  redisEnv,
  secret,
  serviceEnv,
} from './env.schema';
export type { CoreSettings, HttpLimitSettings } from './env.schema';
export { internalTokenEnv, requireInternalTokenInProduction } from './internal-token';
