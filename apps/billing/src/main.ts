import './instrumentation';
import { loadConfigOrExit } from '@conduit/config';
import { bootstrapService } from '@conduit/runtime';
import { AppModule } from './app.module';
import { billingConfigSchema } from './config/billing.config';

const config = loadConfigOrExit('billing', billingConfigSchema);

void bootstrapService({
  name: 'billing',
  module: AppModule.register(config),
  port: config.http.port,
  host: config.http.host,
  httpLimits: config.http.limits,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
});
