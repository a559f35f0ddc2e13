import type { ExecutionContext } from '@nestjs/common';
import { AuthErrorCode, AuthException } from './auth.exception';
import type { Principal } from './principal';
import { TenantAdminGuard } from './tenant-admin.guard';

const contextOf = (principal: Principal | undefined) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ principal }) }) }) as unknown as ExecutionContext;
const principal = (role?: Principal['role']): Principal => ({
  tenantId: 't',
  userId: 'u',
  apiKeyId: 'k',
  tier: 'free',
  tenantTier: 'free',
  ...(role ? { role } : {}),
});

describe('TenantAdminGuard', () => {
  const guard = new TenantAdminGuard();

  it('lets a tenant admin through', () => {
    expect(guard.canActivate(contextOf(principal('tenant_admin')))).toBe(true);
  });

  it.each([['member', principal('member')], ['a principal cached before roles existed', principal()], ['no principal', undefined]])(
    'refuses %s with 403 tenant_admin_required',
    (_name, who) => {
      let error: unknown;
      try {
        guard.canActivate(contextOf(who));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AuthException);
      expect((error as AuthException).code).toBe(AuthErrorCode.TenantAdminRequired);
      expect((error as AuthException).headers).toBeUndefined();
    },
  );
});
