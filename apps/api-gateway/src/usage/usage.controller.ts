import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ZodPipe } from '@conduit/runtime';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { BudgetViewService } from './budget-view.service';
import { sendUsageReport } from './usage.csv';
import { UsageQuery, usageQuerySchema } from './usage.dto';
import { UsageReportService } from './usage-report.service';
import { RequireScope } from '../auth/required-scope';


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
      groupBy: query.group_by,
    });
    return sendUsageReport(reply, report, query.format);
  }

  @Get('budget')
  budget(@CurrentPrincipal() principal: Principal) {
    return this.budgets.view(principal);
  }
}
