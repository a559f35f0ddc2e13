import { ConduitException } from '@conduit/runtime';

export enum AuthErrorCode {
  MissingApiKey = 'missing_api_key',
  InvalidApiKey = 'invalid_api_key',
  TenantAdminRequired = 'tenant_admin_required',
}

export class AuthException extends ConduitException<AuthErrorCode> {
  constructor(code: AuthErrorCode, message: string) {
    // A missing or wrong credential (401) says how to authenticate; a refused role (403) does not.
    super(code, message, undefined, code === AuthErrorCode.TenantAdminRequired ? undefined : { 'www-authenticate': 'Bearer' });
  }
}
