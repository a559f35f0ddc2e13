import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AuthErrorCode, AuthException } from './auth.exception';
import { AuthenticatedRequest, isTenantAdmin } from './principal';

/**
 * Routes that manage a tenant's settings (webhook endpoints, policies, shared collections):
 * `@UseGuards(TenantAdminGuard)`. Runs after the global API-key guard; a member gets 403
 * `tenant_admin_required`.
 */
@Injectable()
export class TenantAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (principal && isTenantAdmin(principal)) return true;
    throw new AuthException(AuthErrorCode.TenantAdminRequired, 'Only a tenant admin may do this; ask an admin of your organization.');
  }
}
