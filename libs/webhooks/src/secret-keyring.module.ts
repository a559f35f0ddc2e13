import { DynamicModule, Module } from '@nestjs/common';
import type { SecretKeyring } from '@conduit/config';

/** The process's key-encryption keyring (`SECRETS_KEK`), for stores that seal secrets at rest. */
export const SECRET_KEYRING = Symbol('SECRET_KEYRING');

/**
 * Makes the keyring injectable everywhere (`@Inject(SECRET_KEYRING)`): an app imports
 * `SecretKeyringModule.forRoot(secretKeyringOf(env))` once, next to its other settings.
 */
@Module({})
export class SecretKeyringModule {
  static forRoot(keyring: SecretKeyring): DynamicModule {
    return { module: SecretKeyringModule, global: true, providers: [{ provide: SECRET_KEYRING, useValue: keyring }], exports: [SECRET_KEYRING] };
  }
}
