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
  redisTopology,
  secret,
  serviceEnv,
} from './env.schema';
export type { CoreSettings, HttpLimitSettings, RedisNode, RedisTopology } from './env.schema';
export {
  DEVELOPMENT_KEYRING_SEED,
  SECRET_KEY_BYTES,
  SecretKeyring,
  SecretKeyringError,
  requireSecretsKekInProduction,
  secretKeyringOf,
  secretsEnv,
} from './secret-keyring';
export type { SealedSecret } from './secret-keyring';
export { internalTokenEnv, requireInternalTokenInProduction } from './internal-token';
