import { DynamicModule, Global, Module } from '@nestjs/common';
import { PoliciesModule } from '@conduit/policies';
import { TenancyModule } from '@conduit/tenancy';
import { DeliveryStoreModule, WebhookEndpoints } from '@conduit/webhooks';
import { ALERT_SETTINGS, AlertSettings } from '../alerts/alerts.constants';
import { CostAlerts } from '../alerts/cost-alerts.service';
import { SpikeBaselines } from '../alerts/spike-baselines';
import { ActiveUsers } from '../usage/active-users';
import { BudgetCommits } from '../usage/budget-commits';
import { LedgerStatement } from './ledger.statement';
import { LedgerWriter } from './ledger.writer';

/** The ledger writer, budget commits and cost alerts, global so the worker's handlers can inject them. */
@Global()
@Module({})
export class LedgerModule {
  static register(alerts: AlertSettings): DynamicModule {
    return {
      module: LedgerModule,
      // Tenant policies (on_cost_spike) and the tenant store (suspension) for the spike action.
      imports: [DeliveryStoreModule, PoliciesModule.forRoot({ cacheTtlMs: 60_000 }), TenancyModule],
      providers: [LedgerStatement, LedgerWriter, BudgetCommits, SpikeBaselines, CostAlerts, ActiveUsers, WebhookEndpoints, { provide: ALERT_SETTINGS, useValue: alerts }],
      exports: [LedgerWriter, BudgetCommits, CostAlerts, ActiveUsers],
    };
  }
}
