import { DynamicModule, Global, Module } from '@nestjs/common';
import { ALERT_SETTINGS, AlertSettings } from '../alerts/alerts.constants';
import { CostAlerts } from '../alerts/cost-alerts.service';
import { LedgerWriter } from './ledger.writer';

/** The ledger writer and cost alerts, global so the worker's handlers can inject them. */
@Global()
@Module({})
export class LedgerModule {
  static register(alerts: AlertSettings): DynamicModule {
    return {
      module: LedgerModule,
      providers: [LedgerWriter, CostAlerts, { provide: ALERT_SETTINGS, useValue: alerts }],
      exports: [LedgerWriter, CostAlerts],
    };
  }
}
