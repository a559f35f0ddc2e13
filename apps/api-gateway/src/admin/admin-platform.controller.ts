import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { PriceListStore } from '@conduit/budget';
import { Public } from '@conduit/observability';
import { ZodPipe } from '@conduit/runtime';
import { AdminKeyStore } from '@conduit/tenancy';
import { isUuid } from '../sessions/list-page';
import { AdminErrorCode, AdminException } from './admin.exception';
import { AdminGuard } from './admin.guard';
import { createAdminKeySchema, setPriceSchema, toAdminKeyObject, toPriceObject } from './admin.dto';
import { AdminPrincipal, CurrentAdmin, PlatformOnly } from './admin-principal';

/** The price list (read by every admin, set by platform admins) and platform admin keys. */
@Public()
@UseGuards(AdminGuard)
@Controller('v1/admin')
export class AdminPlatformController {
  constructor(
    private readonly prices: PriceListStore,
    private readonly adminKeys: AdminKeyStore,
  ) {}

  /** Every price version, newest first per model. */
  @Get('prices')
  async listPrices() {
    return { object: 'list', data: (await this.prices.list()).map(toPriceObject) };
  }

  /** A price version from `effective_from` (default today, UTC); services switch at their next refresh. */
  @Post('prices')
  @PlatformOnly()
  async setPrice(@Body(new ZodPipe(setPriceSchema)) body: z.infer<typeof setPriceSchema>) {
    const version = await this.prices.set({
      model: body.model,
      effectiveFrom: body.effective_from ?? new Date().toISOString().slice(0, 10),
      input: body.input,
      output: body.output,
      cachedInput: body.cached_input ?? null,
      cacheWrite: body.cache_write ?? null,
    });
    return toPriceObject(version);
  }

  /** A new platform admin key; its secret (`key`) appears only in this response. */
  @Post('admin-keys')
  @PlatformOnly()
  async createAdminKey(@CurrentAdmin() admin: AdminPrincipal, @Body(new ZodPipe(createAdminKeySchema)) body: z.infer<typeof createAdminKeySchema>) {
    const { record, secret } = await this.adminKeys.create(body.name, admin.id);
    return { ...toAdminKeyObject(record), key: secret };
  }

  @Get('admin-keys')
  @PlatformOnly()
  async listAdminKeys() {
    return { object: 'list', data: (await this.adminKeys.list()).map(toAdminKeyObject) };
  }

  @Post('admin-keys/:id/revoke')
  @HttpCode(200)
  @PlatformOnly()
  async revokeAdminKey(@Param('id') id: string) {
    const key = isUuid(id) ? await this.adminKeys.revoke(id) : null;
    if (!key) throw AdminException.notFound(AdminErrorCode.AdminKeyNotFound, id);
    return toAdminKeyObject(key);
  }
}
