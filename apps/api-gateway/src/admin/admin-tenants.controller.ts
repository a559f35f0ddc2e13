import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { BudgetCapStore } from '@conduit/budget';
import { Public } from '@conduit/observability';
import { PolicyDocumentError, PolicyStore } from '@conduit/policies';
import { ZodPipe } from '@conduit/runtime';
import { ApiKeyRegistry, TenantRecord, TenantSlugTakenError, TenantStore, UserStore } from '@conduit/tenancy';
import { isUuid, toListPage } from '../sessions/list-page';
import { AdminErrorCode, AdminException } from './admin.exception';
import { AdminGuard } from './admin.guard';
import {
  clearCapSchema,
  createTenantSchema,
  ListQuery,
  listQuerySchema,
  setCapSchema,
  toCapObject,
  toTenantObject,
  updateTenantSchema,
} from './admin.dto';
import { AdminPrincipal, checkTenantAccess, CurrentAdmin, PlatformOnly } from './admin-principal';

/** Tenants, their suspension, budget caps and policy document. */
@Public()
@UseGuards(AdminGuard)
@Controller('v1/admin/tenants')
export class AdminTenantsController {
  constructor(
    private readonly tenants: TenantStore,
    private readonly users: UserStore,
    private readonly keys: ApiKeyRegistry,
    private readonly caps: BudgetCapStore,
    private readonly policies: PolicyStore,
  ) {}

  @Post()
  @PlatformOnly()
  async create(@Body(new ZodPipe(createTenantSchema)) body: z.infer<typeof createTenantSchema>) {
    try {
      return toTenantObject(await this.tenants.create(body));
    } catch (error) {
      if (error instanceof TenantSlugTakenError) throw new AdminException(AdminErrorCode.TenantSlugTaken, error.message, { param: 'slug' });
      throw error;
    }
  }

  @Get()
  @PlatformOnly()
  async list(@Query(new ZodPipe(listQuerySchema)) query: ListQuery) {
    return toListPage(await this.tenants.list(query.limit, query.after), query.limit, toTenantObject);
  }

  @Get(':id')
  async get(@CurrentAdmin() admin: AdminPrincipal, @Param('id') id: string) {
    return toTenantObject(await this.tenant(admin, id));
  }

  /** Name (any admin of the tenant); tier and unpriced models (platform admins). */
  @Patch(':id')
  async update(@CurrentAdmin() admin: AdminPrincipal, @Param('id') id: string, @Body(new ZodPipe(updateTenantSchema)) body: z.infer<typeof updateTenantSchema>) {
    await this.tenant(admin, id);
    if (admin.kind === 'tenant' && (body.tier !== undefined || body.allow_unpriced_models !== undefined)) {
      throw new AdminException(AdminErrorCode.PlatformAdminRequired, 'Only a platform admin may change a tenant\'s tier or unpriced-model permission.', {
        param: body.tier !== undefined ? 'tier' : 'allow_unpriced_models',
      });
    }
    const updated = await this.tenants.update(id, { name: body.name, tier: body.tier, allowUnpricedModels: body.allow_unpriced_models });
    if (!updated) throw AdminException.notFound(AdminErrorCode.TenantNotFound, id);
    return toTenantObject(updated);
  }

  /** Refuses every key of the tenant (403 `tenant_suspended`) on every gateway within a second. */
  @Post(':id/suspend')
  @HttpCode(200)
  async suspend(@CurrentAdmin() admin: AdminPrincipal, @Param('id') id: string) {
    await this.tenant(admin, id);
    await this.tenants.suspend(id, 'admin');
    return toTenantObject(await this.tenant(admin, id));
  }

  @Post(':id/resume')
  @HttpCode(200)
  async resume(@CurrentAdmin() admin: AdminPrincipal, @Param('id') id: string) {
    await this.tenant(admin, id);
    await this.tenants.resume(id);
    return toTenantObject(await this.tenant(admin, id));
  }

  @Get(':id/budgets')
  async budgets(@CurrentAdmin() admin: AdminPrincipal, @Param('id') id: string) {
    await this.tenant(admin, id);
    const caps = await this.caps.listOverrides(id);
    return { object: 'list', data: caps.map(toCapObject) };
  }

  /** Sets a cap override of the tenant, one of its users or one of its API keys (`cap_usd` null: no cap at all). */
  @Put(':id/budgets')
  async setBudget(@CurrentAdmin() admin: AdminPrincipal, @Param('id') id: string, @Body(new ZodPipe(setCapSchema)) body: z.infer<typeof setCapSchema>) {
    const subjectId = await this.capSubject(admin, id, body);
    await this.caps.setOverride(id, body.scope, subjectId, body.period, body.cap_usd);
    return toCapObject({ scope: body.scope, subjectId, period: body.period, usd: body.cap_usd, updatedAt: new Date() });
  }

  /** Clears an override: the tier default applies again. */
  @Post(':id/budgets/clear')
  @HttpCode(200)
  async clearBudget(@CurrentAdmin() admin: AdminPrincipal, @Param('id') id: string, @Body(new ZodPipe(clearCapSchema)) body: z.infer<typeof clearCapSchema>) {
    const subjectId = await this.capSubject(admin, id, body);
    const cleared = await this.caps.clearOverride(id, body.scope, subjectId, body.period);
    return { object: 'budget_cap.cleared', scope: body.scope, subject_id: subjectId, period: body.period, cleared };
  }

  @Get(':id/policy')
  async policy(@CurrentAdmin() admin: AdminPrincipal, @Param('id') id: string) {
    await this.tenant(admin, id);
    const policy = await this.policies.show(id);
    return { object: 'tenant_policy', tenant_id: id, version: policy.version, document: policy.document };
  }

  /** Replaces the policy document; 400 `invalid_policy` with `param` = the path of the bad field. */
  @Put(':id/policy')
  async putPolicy(@CurrentAdmin() admin: AdminPrincipal, @Param('id') id: string, @Body() document: unknown) {
    await this.tenant(admin, id);
    try {
      const policy = await this.policies.put(id, document, `admin:${admin.id}`);
      return { object: 'tenant_policy', tenant_id: id, version: policy.version, document: policy.document };
    } catch (error) {
      if (error instanceof PolicyDocumentError) throw new AdminException(AdminErrorCode.InvalidPolicy, error.message, { param: error.param });
      throw error;
    }
  }

  private async tenant(admin: AdminPrincipal, id: string): Promise<TenantRecord> {
    checkTenantAccess(admin, id);
    const tenant = isUuid(id) ? await this.tenants.get(id) : null;
    if (!tenant) throw AdminException.notFound(AdminErrorCode.TenantNotFound, id);
    return tenant;
  }

  /** The cap's subject: the tenant, or a user or API key of the tenant (404 for another tenant's). */
  private async capSubject(admin: AdminPrincipal, tenantId: string, body: { scope: 'tenant' | 'user' | 'key'; subject_id?: string }): Promise<string> {
    await this.tenant(admin, tenantId);
    if (body.scope === 'tenant') return tenantId;
    if (body.scope === 'key') {
      if (!body.subject_id || !(await this.keys.get(tenantId, body.subject_id))) throw AdminException.notFound(AdminErrorCode.ApiKeyNotFound, body.subject_id ?? '');
      return body.subject_id;
    }
    if (!body.subject_id || !(await this.users.get(tenantId, body.subject_id))) throw AdminException.notFound(AdminErrorCode.UserNotFound, body.subject_id ?? '');
    return body.subject_id;
  }
}
