import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminErrorCode, AdminException } from './admin.exception';

/**
 * Who calls the admin API. A platform admin (an admin key, or the bootstrap `ADMIN_API_KEY`)
 * manages every tenant; a tenant admin (an API key with the `admin` scope whose user is a
 * `tenant_admin`) only their own: any other tenant's resources answer 404, as if absent.
 */
export type AdminPrincipal = { kind: 'platform'; id: string } | { kind: 'tenant'; id: string; tenantId: string; userId: string };

export type AdminRequest = FastifyRequest & { admin?: AdminPrincipal };

export const CurrentAdmin = createParamDecorator((_data: unknown, ctx: ExecutionContext): AdminPrincipal => {
  const admin = ctx.switchToHttp().getRequest<AdminRequest>().admin;
  if (!admin) throw new Error('CurrentAdmin used on a route without the admin guard');
  return admin;
});

export const PLATFORM_ONLY = 'conduit:platform-admin-only';
/** Routes only a platform admin may call (a tenant admin gets 403 `platform_admin_required`). */
export const PlatformOnly = () => SetMetadata(PLATFORM_ONLY, true);

/** Throws 404 unless the admin may see `tenantId` (a tenant admin sees only their own). */
export function checkTenantAccess(admin: AdminPrincipal, tenantId: string): void {
  if (admin.kind === 'tenant' && admin.tenantId !== tenantId) throw AdminException.notFound(AdminErrorCode.TenantNotFound, tenantId);
}
