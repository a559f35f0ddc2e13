import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { Public } from '@conduit/observability';
import { ZodPipe } from '@conduit/runtime';
import { ApiKeyRegistry, TenantStore, UserEmailTakenError, UserRecord, UserStore } from '@conduit/tenancy';
import { isUuid, toListPage } from '../sessions/list-page';
import { AdminErrorCode, AdminException } from './admin.exception';
import { AdminGuard } from './admin.guard';
import {
  createKeySchema,
  createUserSchema,
  expiryOf,
  ListQuery,
  listKeysQuerySchema,
  listQuerySchema,
  toKeyObject,
  toUserObject,
  updateKeySchema,
  updateUserSchema,
} from './admin.dto';
import { AdminPrincipal, checkTenantAccess, CurrentAdmin } from './admin-principal';
import { UserErasure } from './user-erasure.service';

/** A tenant's users and API keys. */
@Public()
@UseGuards(AdminGuard)
@Controller('v1/admin/tenants/:tenantId')
export class AdminUsersController {
  constructor(
    private readonly tenants: TenantStore,
    private readonly users: UserStore,
    private readonly keys: ApiKeyRegistry,
    private readonly erasure: UserErasure,
  ) {}

  @Post('users')
  async createUser(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string, @Body(new ZodPipe(createUserSchema)) body: z.infer<typeof createUserSchema>) {
    await this.tenant(admin, tenantId);
    try {
      return toUserObject(await this.users.create(tenantId, body));
    } catch (error) {
      if (error instanceof UserEmailTakenError) throw new AdminException(AdminErrorCode.UserEmailTaken, error.message, { param: 'email' });
      throw error;
    }
  }

  @Get('users')
  async listUsers(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string, @Query(new ZodPipe(listQuerySchema)) query: ListQuery) {
    await this.tenant(admin, tenantId);
    return toListPage(await this.users.list(tenantId, query.limit, query.after), query.limit, toUserObject);
  }

  @Get('users/:userId')
  async getUser(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string, @Param('userId') userId: string) {
    return toUserObject(await this.user(admin, tenantId, userId));
  }

  @Patch('users/:userId')
  async updateUser(
    @CurrentAdmin() admin: AdminPrincipal,
    @Param('tenantId') tenantId: string,
    @Param('userId') userId: string,
    @Body(new ZodPipe(updateUserSchema)) body: z.infer<typeof updateUserSchema>,
  ) {
    await this.user(admin, tenantId, userId);
    const updated = await this.users.update(tenantId, userId, body);
    if (!updated) throw AdminException.notFound(AdminErrorCode.UserNotFound, userId);
    return toUserObject(updated);
  }

  @Post('users/:userId/suspend')
  @HttpCode(200)
  async suspendUser(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string, @Param('userId') userId: string) {
    return this.setSuspended(admin, tenantId, userId, true);
  }

  @Post('users/:userId/resume')
  @HttpCode(200)
  async resumeUser(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string, @Param('userId') userId: string) {
    return this.setSuspended(admin, tenantId, userId, false);
  }

  /**
   * Erases the user: sessions, messages, documents (chunks, vectors, blobs) and jobs are deleted,
   * keys revoked, ledger rows kept anonymised. Idempotent: a repeated call finishes a failed one.
   */
  @Post('users/:userId/erase')
  @HttpCode(200)
  async eraseUser(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string, @Param('userId') userId: string) {
    await this.user(admin, tenantId, userId);
    const report = await this.erasure.erase(tenantId, userId);
    if (!report) throw AdminException.notFound(AdminErrorCode.UserNotFound, userId);
    return report;
  }

  /** A new key; the response is the only place its secret (`key`) ever appears. */
  @Post('keys')
  async createKey(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string, @Body(new ZodPipe(createKeySchema)) body: z.infer<typeof createKeySchema>) {
    await this.user(admin, tenantId, body.user_id);
    const { record, secret } = await this.keys.create(tenantId, body.user_id, {
      name: body.name,
      scopes: body.scopes,
      allowedModels: body.allowed_models,
      rpm: body.rpm,
      tpm: body.tpm,
      expiresAt: expiryOf(body.expires_at),
    });
    return { ...toKeyObject(record), key: secret };
  }

  @Get('keys')
  async listKeys(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string, @Query(new ZodPipe(listKeysQuerySchema)) query: z.infer<typeof listKeysQuerySchema>) {
    await this.tenant(admin, tenantId);
    const rows = await this.keys.list(tenantId, { userId: query.user_id, limit: query.limit, after: query.after });
    return toListPage(rows, query.limit, toKeyObject);
  }

  @Get('keys/:keyId')
  async getKey(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string, @Param('keyId') keyId: string) {
    await this.tenant(admin, tenantId);
    const key = isUuid(keyId) ? await this.keys.get(tenantId, keyId) : null;
    if (!key) throw AdminException.notFound(AdminErrorCode.ApiKeyNotFound, keyId);
    return toKeyObject(key);
  }

  /** Scopes, model allow-list, per-key RPM/TPM, expiry, name: applied on every gateway within a second. */
  @Patch('keys/:keyId')
  async updateKey(
    @CurrentAdmin() admin: AdminPrincipal,
    @Param('tenantId') tenantId: string,
    @Param('keyId') keyId: string,
    @Body(new ZodPipe(updateKeySchema)) body: z.infer<typeof updateKeySchema>,
  ) {
    await this.tenant(admin, tenantId);
    const key = isUuid(keyId)
      ? await this.keys.update(tenantId, keyId, {
          name: body.name,
          scopes: body.scopes,
          allowedModels: body.allowed_models,
          rpm: body.rpm,
          tpm: body.tpm,
          expiresAt: expiryOf(body.expires_at),
        })
      : null;
    if (!key) throw AdminException.notFound(AdminErrorCode.ApiKeyNotFound, keyId);
    return toKeyObject(key);
  }

  /** Refused (401) on every gateway within a second. Idempotent. */
  @Post('keys/:keyId/revoke')
  @HttpCode(200)
  async revokeKey(@CurrentAdmin() admin: AdminPrincipal, @Param('tenantId') tenantId: string, @Param('keyId') keyId: string) {
    await this.tenant(admin, tenantId);
    const key = isUuid(keyId) ? await this.keys.revoke(tenantId, keyId) : null;
    if (!key) throw AdminException.notFound(AdminErrorCode.ApiKeyNotFound, keyId);
    return toKeyObject(key);
  }

  private async setSuspended(admin: AdminPrincipal, tenantId: string, userId: string, suspended: boolean) {
    await this.user(admin, tenantId, userId);
    const user = await this.users.setSuspended(tenantId, userId, suspended);
    if (!user) throw AdminException.notFound(AdminErrorCode.UserNotFound, userId);
    return toUserObject(user);
  }

  private async tenant(admin: AdminPrincipal, tenantId: string): Promise<void> {
    checkTenantAccess(admin, tenantId);
    if (!isUuid(tenantId) || !(await this.tenants.get(tenantId))) throw AdminException.notFound(AdminErrorCode.TenantNotFound, tenantId);
  }

  private async user(admin: AdminPrincipal, tenantId: string, userId: string): Promise<UserRecord> {
    await this.tenant(admin, tenantId);
    const user = isUuid(userId) ? await this.users.get(tenantId, userId) : null;
    if (!user) throw AdminException.notFound(AdminErrorCode.UserNotFound, userId);
    return user;
  }
}
