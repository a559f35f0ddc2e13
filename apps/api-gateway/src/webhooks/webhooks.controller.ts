import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ZodPipe } from '@conduit/runtime';
import { WebhookEndpoints, WebhookSigningKeys } from '@conduit/webhooks';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { TenantAdminGuard } from '../auth/tenant-admin.guard';
import { isUuid, ListPage, toListPage } from '../sessions/list-page';
import { WebhooksException } from './webhooks.exception';
import { RotateSecretBody, rotateSecretBodySchema, toEndpointObject, toSecretObject, WebhookEndpointObject, WebhookSecretObject } from './webhooks.dto';
import { RequireScope } from '../auth/required-scope';

const MAX_ENDPOINTS_LISTED = 100;

/**
 * The tenant's webhook signing secret (Standard Webhooks `whsec_...`, created on first use), which
 * signs deliveries to jobs' own `webhook_url`s (implicit endpoints), and every endpoint of the
 * tenant. Tenant admins only: a member gets 403 `tenant_admin_required`. Registered endpoints,
 * with their own secrets, are `/v1/webhook-endpoints`.
 */
@RequireScope('jobs')
@Controller('v1/webhooks')
@UseGuards(TenantAdminGuard)
export class WebhooksController {
  constructor(
    private readonly keys: WebhookSigningKeys,
    private readonly endpoints: WebhookEndpoints,
  ) {}

  @Get('secret')
  async secret(@CurrentPrincipal() principal: Principal): Promise<WebhookSecretObject> {
    return toSecretObject(await this.keys.get(principal.tenantId));
  }

  /** A new secret; the old one keeps verifying (and is still signed with) for the grace period. */
  @Post('secret/rotate')
  @HttpCode(200)
  async rotate(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(rotateSecretBodySchema)) body: RotateSecretBody): Promise<WebhookSecretObject> {
    return toSecretObject(await this.keys.rotate(principal.tenantId, body.gracePeriodS * 1_000));
  }

  @Get('endpoints')
  async list(@CurrentPrincipal() principal: Principal): Promise<ListPage<WebhookEndpointObject>> {
    const rows = await this.endpoints.list(principal.tenantId, MAX_ENDPOINTS_LISTED);
    return toListPage(rows, MAX_ENDPOINTS_LISTED, toEndpointObject);
  }

  /** Re-enables an endpoint disabled by a `410 Gone`. */
  @Post('endpoints/:id/enable')
  @HttpCode(200)
  async enable(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<WebhookEndpointObject> {
    const endpoint = isUuid(id) ? await this.endpoints.enable(principal.tenantId, id) : null;
    if (!endpoint) throw WebhooksException.endpointNotFound(id);
    return toEndpointObject(endpoint);
  }
}
