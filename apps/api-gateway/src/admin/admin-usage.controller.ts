import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '@conduit/observability';
import { ZodPipe } from '@conduit/runtime';
import { sendUsageReport } from '../usage/usage.csv';
import { AdminUsageQuery, adminUsageQuerySchema } from '../usage/usage.dto';
import { UsageReportService } from '../usage/usage-report.service';
import { AdminGuard } from './admin.guard';
import { AdminPrincipal, checkTenantAccess, CurrentAdmin } from './admin-principal';

/** Usage of any tenant or user (platform admins), or of the tenant admin's own tenant. */
@Public()
@UseGuards(AdminGuard)
@Controller('v1/admin')
export class AdminUsageController {
  constructor(private readonly reports: UsageReportService) {}

  @Get('usage')
  async usage(@CurrentAdmin() admin: AdminPrincipal, @Query(new ZodPipe(adminUsageQuerySchema)) query: AdminUsageQuery, @Res() reply: FastifyReply): Promise<FastifyReply> {
    if (query.tenant_id) checkTenantAccess(admin, query.tenant_id);
    const report = await this.reports.report({
      tenantId: admin.kind === 'tenant' ? admin.tenantId : query.tenant_id,
      userId: query.user_id,
      start: query.start,
      end: query.end,
      groupBy: query.group_by,
    });
    return sendUsageReport(reply, report, query.format);
  }
}
