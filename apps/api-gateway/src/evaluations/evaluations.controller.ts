import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { TenantAdminGuard } from '../auth/tenant-admin.guard';
import {
  AggregatesQuery,
  aggregatesQuerySchema,
  AlertsQuery,
  alertsQuerySchema,
  CompareQuery,
  compareQuerySchema,
  ScoresQuery,
  scoresQuerySchema,
} from './evaluations.dto';
import { EvaluationsService } from './evaluations.service';

/**
 * `/v1/evaluations/*`: the tenant's live evaluation — scores per message, daily aggregates,
 * comparisons of two models or template versions, regression alerts. Tenant admins only (403
 * `tenant_admin_required` for members: scores and judge explanations describe every user's
 * conversations); another tenant's data is simply not there (empty lists).
 */
@Controller('v1/evaluations')
@UseGuards(TenantAdminGuard)
export class EvaluationsController {
  constructor(private readonly service: EvaluationsService) {}

  @Get('scores')
  scores(@CurrentPrincipal() principal: Principal, @Query(new ZodPipe(scoresQuerySchema)) query: ScoresQuery) {
    return this.service.listScores(principal.tenantId, query);
  }

  @Get('aggregates')
  aggregates(@CurrentPrincipal() principal: Principal, @Query(new ZodPipe(aggregatesQuerySchema)) query: AggregatesQuery) {
    return this.service.listAggregates(principal.tenantId, query);
  }

  @Get('compare')
  compare(@CurrentPrincipal() principal: Principal, @Query(new ZodPipe(compareQuerySchema)) query: CompareQuery) {
    return this.service.compare(principal.tenantId, query);
  }

  @Get('alerts')
  alerts(@CurrentPrincipal() principal: Principal, @Query(new ZodPipe(alertsQuerySchema)) query: AlertsQuery) {
    return this.service.listAlerts(principal.tenantId, query);
  }
}
