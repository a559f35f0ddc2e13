import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { hashApiKey } from '@conduit/contracts';
import { AdminKeyStore } from '@conduit/tenancy';
import { ApiKeyStore } from '../auth/api-key.store';
import { hasScope, isTenantAdmin } from '../auth/principal';
import { ADMIN_SETTINGS, AdminSettings } from './admin.constants';
import { AdminErrorCode, AdminException } from './admin.exception';
import { AdminPrincipal, AdminRequest, PLATFORM_ONLY } from './admin-principal';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Authenticates `/v1/admin/*` (the routes are `@Public()` to the API-key guard and use this one):
 * `Authorization: Bearer <key>` where the key is the bootstrap `ADMIN_API_KEY`, a platform admin
 * key (`admin_keys`, stored hashed), or an API key with the `admin` scope of a tenant admin. Any
 * other valid API key gets 403 `admin_required`; anything else 401 `invalid_admin_key`. A
 * suspended tenant's admin may still call the admin API (to see why, or to be resumed).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly adminKeys: AdminKeyStore,
    private readonly apiKeys: ApiKeyStore,
    @Inject(ADMIN_SETTINGS) private readonly settings: AdminSettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const key = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!key) throw this.unauthenticated('No admin key provided: send it as "Authorization: Bearer <key>".');
    const admin = await this.authenticate(key);
    if (admin.kind === 'tenant' && this.reflector.getAllAndOverride<boolean>(PLATFORM_ONLY, [context.getHandler(), context.getClass()])) {
      throw new AdminException(AdminErrorCode.PlatformAdminRequired, 'Only a platform admin may do this.');
    }
    request.admin = admin;
    return true;
  }

  private async authenticate(key: string): Promise<AdminPrincipal> {
    if (this.settings.bootstrapKey && sameSecret(key, this.settings.bootstrapKey)) return { kind: 'platform', id: 'bootstrap' };
    const adminKey = await this.adminKeys.verify(key);
    if (adminKey) return { kind: 'platform', id: adminKey.id };
    const resolution = await this.apiKeys.resolve(hashApiKey(key));
    if (!resolution) throw this.unauthenticated('Incorrect or revoked admin key.');
    const { principal } = resolution;
    const refusedUser = 'refused' in resolution && resolution.refused === 'user_suspended';
    if (refusedUser || !hasScope(principal, 'admin') || !isTenantAdmin(principal)) {
      throw new AdminException(
        AdminErrorCode.AdminRequired,
        'This API key may not use the admin API: it needs the "admin" scope and a tenant admin user, or use a platform admin key.',
      );
    }
    return { kind: 'tenant', id: principal.apiKeyId, tenantId: principal.tenantId, userId: principal.userId };
  }

  private unauthenticated(message: string): AdminException {
    return new AdminException(AdminErrorCode.InvalidAdminKey, message, undefined, { 'www-authenticate': 'Bearer' });
  }
}
