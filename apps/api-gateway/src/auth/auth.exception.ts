import { ConduitException } from '@conduit/runtime';

export enum AuthErrorCode {
  MissingApiKey = 'missing_api_key',
  InvalidApiKey = 'invalid_api_key',
  TenantAdminRequired = 'tenant_admin_required',
  /** The key lacks the scope the route needs (`chat`, `jobs`, `documents`, `usage`). */
  ScopeRequired = 'insufficient_scope',
  /** The tenant is suspended (by an admin, or by `on_cost_spike: suspend`). */
  TenantSuspended = 'tenant_suspended',
  UserSuspended = 'user_suspended',
}

/** Codes of a missing or wrong credential (401): the answer says how to authenticate. */
const UNAUTHENTICATED: ReadonlySet<AuthErrorCode> = new Set([AuthErrorCode.MissingApiKey, AuthErrorCode.InvalidApiKey]);

export class AuthException extends ConduitException<AuthErrorCode> {
  constructor(code: AuthErrorCode, message: string) {
    // A missing or wrong credential (401) says how to authenticate; a refusal (403) does not.
    super(code, message, undefined, UNAUTHENTICATED.has(code) ? { 'www-authenticate': 'Bearer' } : undefined);
  }
}

/** The refusal of a caller whose tenant or user is suspended (403). */
export function suspendedRefusal(reason: 'tenant_suspended' | 'user_suspended'): AuthException {
  return reason === 'tenant_suspended'
    ? new AuthException(AuthErrorCode.TenantSuspended, 'This organization is suspended; an administrator must resume it.')
    : new AuthException(AuthErrorCode.UserSuspended, 'This user is suspended; ask an administrator of your organization.');
}
