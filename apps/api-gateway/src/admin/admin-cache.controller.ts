import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { Public } from '@conduit/observability';
import { ZodPipe } from '@conduit/runtime';
import { TenantStore, UserStore } from '@conduit/tenancy';
import { isUuid } from '../sessions/list-page';
import { AdminErrorCode, AdminException } from './admin.exception';
import { AdminGuard } from './admin.guard';
import { purgeCacheSchema, PurgeCacheRequest } from './admin.dto';
import { AdminPrincipal, checkTenantAccess, CurrentAdmin } from './admin-principal';
import { ResponseCacheAdmin } from './response-cache.admin';

/**
 * A tenant's response cache: what it holds, and purges — every entry, one entry by the key a chat
 * answer named (`x-conduit-cache-key`), or every entry a user's requests created. Purges are
 * idempotent: `deleted` says how many entries there were.
 */
@Public()
@UseGuards(AdminGuard)
@Controller('v1/admin/tenants/:tenantId/cache')
export class AdminCacheController {
  constructor(
    private readonly tenants: TenantStore,
    private readonly users: UserStore,
    private readonly cache: ResponseCacheAdmin,
  ) {}

  @Get()
  async show(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string) {
    await this.tenant(admin, tenantId);
    const usage = await this.cache.usage(tenantId);
    return { object: 'response_cache', tenant_id: tenantId, entries: usage.entries, bytes: usage.bytes };
  }

  /** Body `{}`: every entry; `{ "key" }`: that entry; `{ "user_id" }`: the entries of that user's requests. */
  @Post('purge')
  @HttpCode(200)
  async purge(
    @CurrentAdmin() admin: AdminPrincipal,
    @Param('tenantId') tenantId: string,
    @Body(new ZodPipe(purgeCacheSchema)) body: PurgeCacheRequest,
  ) {
    await this.tenant(admin, tenantId);
    if (body.user_id !== undefined && !(await this.users.get(tenantId, body.user_id))) throw AdminException.notFound(AdminErrorCode.UserNotFound, body.user_id);
    const deleted =
      body.key !== undefined
        ? await this.cache.purgeKey(tenantId, body.key)
        : body.user_id !== undefined
          ? await this.cache.purgeUser(tenantId, body.user_id)
          : await this.cache.purgeTenant(tenantId);
    const scope = body.key !== undefined ? 'key' : body.user_id !== undefined ? 'user' : 'tenant';
    return { object: 'response_cache.purge', tenant_id: tenantId, scope, deleted };
  }

  private async tenant(admin: AdminPrincipal, tenantId: string): Promise<void> {
    checkTenantAccess(admin, tenantId);
    if (!isUuid(tenantId) || !(await this.tenants.get(tenantId))) throw AdminException.notFound(AdminErrorCode.TenantNotFound, tenantId);
  }
}
