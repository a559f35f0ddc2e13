import { DynamicModule, Global, Module } from '@nestjs/common';
import { ALERT_SETTINGS, AlertSettings } from '../alerts/alerts.constants';
import { CostAlerts } from '../alerts/cost-alerts.service';
import { SpikeBaselines } from '../alerts/spike-baselines';
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
      providers: [LedgerStatement, LedgerWriter, BudgetCommits, SpikeBaselines, CostAlerts, { provide: ALERT_SETTINGS, useValue: alerts }],
      exports: [LedgerWriter, BudgetCommits, CostAlerts],
    };
  }
}
