export { ConfigValidationError, loadConfig, loadConfigOrExit } from './load-config';
export {
  baseEnv,
  coreSettings,
  databaseEnv,
  describeConfig,
  envBoolean,
  port,
  redisEnv,
  secret,
  serviceEnv,
} from './env.schema';
export type { CoreSettings } from './env.schema';
