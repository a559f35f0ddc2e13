import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '@conduit/observability';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { AdminGuard } from './admin.guard';
import { BudgetViewService } from './budget-view.service';
import { usageCsv } from './usage.csv';
import { AdminUsageQuery, adminUsageQuerySchema, UsageQuery, usageQuerySchema, UsageReport } from './usage.dto';
import { UsageReportService } from './usage-report.service';
import { RequireScope } from '../auth/required-scope';

function send(reply: FastifyReply, report: UsageReport, format: 'json' | 'csv'): FastifyReply {
  if (format === 'json') return reply.send(report);
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="usage-${report.start}-${report.end}.csv"`)
    .send(usageCsv(report));
}

/** The caller's own usage and budget. */
@RequireScope('usage')
@Controller('v1')
export class UsageController {
  constructor(
    private readonly reports: UsageReportService,
    private readonly budgets: BudgetViewService,
  ) {}

  @Get('usage')
  async usage(
    @Query(new ZodPipe(usageQuerySchema)) query: UsageQuery,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const report = await this.reports.report({
      tenantId: principal.tenantId,
      userId: principal.userId,
      start: query.start,
      end: query.end,
      groupBy: ['day', 'model'],
    });
    return send(reply, report, query.format);
  }

  @Get('budget')
  budget(@CurrentPrincipal() principal: Principal) {
    return this.budgets.view(principal);
  }
}

/** Operators: usage of any tenant or user (see {@link AdminGuard}). */
@Public()
@UseGuards(AdminGuard)
@Controller('v1/admin')
export class AdminUsageController {
  constructor(private readonly reports: UsageReportService) {}

  @Get('usage')
  async usage(@Query(new ZodPipe(adminUsageQuerySchema)) query: AdminUsageQuery, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const report = await this.reports.report({
      tenantId: query.tenant_id,
      userId: query.user_id,
      start: query.start,
      end: query.end,
      groupBy: query.group_by,
    });
    return send(reply, report, query.format);
  }
}
