import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { TenantAdminGuard } from '../auth/tenant-admin.guard';
import type { ListPage } from '../sessions/list-page';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import {
  CreateEndpointBody,
  RegisteredEndpointObject,
  UpdateEndpointBody,
  WebhookTestObject,
  createEndpointBodySchema,
  testEndpointBodySchema,
  updateEndpointBodySchema,
} from './webhook-endpoints.dto';
import { RotateSecretBody, rotateSecretBodySchema } from './webhooks.dto';

/**
 * `/v1/webhook-endpoints`: the tenant's registered receivers, their event subscriptions and their
 * own `whsec_` secrets (shown once, on creation and rotation). Tenant admins only (403
 * `tenant_admin_required` for members); another tenant's endpoint answers 404.
 */
@Controller('v1/webhook-endpoints')
@UseGuards(TenantAdminGuard)
export class WebhookEndpointsController {
  constructor(private readonly service: WebhookEndpointsService) {}

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(createEndpointBodySchema)) body: CreateEndpointBody): Promise<RegisteredEndpointObject> {
    return this.service.create(principal.tenantId, body);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal): Promise<ListPage<RegisteredEndpointObject>> {
    return this.service.list(principal.tenantId);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<RegisteredEndpointObject> {
    return this.service.get(principal.tenantId, id);
  }

  @Patch(':id')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body(new ZodPipe(updateEndpointBodySchema)) body: UpdateEndpointBody,
  ): Promise<RegisteredEndpointObject> {
    return this.service.update(principal.tenantId, id, body);
  }

  @Delete(':id')
  remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.service.remove(principal.tenantId, id);
  }

  /** A new secret (shown once); the old one keeps signing, as a second signature, for the grace period. */
  @Post(':id/rotate')
  @HttpCode(200)
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body(new ZodPipe(rotateSecretBodySchema)) body: RotateSecretBody,
  ): Promise<RegisteredEndpointObject> {
    return this.service.rotate(principal.tenantId, id, body.gracePeriodS * 1_000);
  }

  @Post(':id/test')
  @HttpCode(202)
  test(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(new ZodPipe(testEndpointBodySchema)) _body: unknown): Promise<WebhookTestObject> {
    return this.service.test(principal.tenantId, id);
  }
}
