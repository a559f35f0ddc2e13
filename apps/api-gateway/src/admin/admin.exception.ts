import { ConduitException } from '@conduit/runtime';

export enum AdminErrorCode {
  /** No admin credential, or one that is unknown or revoked (401). */
  InvalidAdminKey = 'invalid_admin_key',
  /** A valid API key without admin rights (no `admin` scope, or its user is not a tenant admin). */
  AdminRequired = 'admin_required',
  /** A tenant admin asked for something only a platform admin may do. */
  PlatformAdminRequired = 'platform_admin_required',
  TenantNotFound = 'tenant_not_found',
  UserNotFound = 'user_not_found',
  ApiKeyNotFound = 'api_key_not_found',
  AdminKeyNotFound = 'admin_key_not_found',
  TenantSlugTaken = 'tenant_slug_taken',
  UserEmailTaken = 'user_email_taken',
  /** A tenant policy document the schema refuses (`param`: the path of the bad field). */
  InvalidPolicy = 'invalid_policy',
}

export class AdminException extends ConduitException<AdminErrorCode> {
  static notFound(code: AdminErrorCode.TenantNotFound | AdminErrorCode.UserNotFound | AdminErrorCode.ApiKeyNotFound | AdminErrorCode.AdminKeyNotFound, id: string): AdminException {
    const what = { tenant_not_found: 'tenant', user_not_found: 'user', api_key_not_found: 'API key', admin_key_not_found: 'admin key' }[code];
    return new AdminException(code, `No ${what} with id "${id}".`);
  }
}
