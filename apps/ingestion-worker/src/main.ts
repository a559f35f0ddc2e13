import './instrumentation';
import { loadConfigOrExit } from '@conduit/config';
import { bootstrapService } from '@conduit/runtime';
import { AppModule } from './app.module';
import { ingestionConfigSchema } from './config/ingestion-worker.config';

const config = loadConfigOrExit('ingestion-worker', ingestionConfigSchema);

void bootstrapService({
  name: 'ingestion-worker',
  module: AppModule.register(config),
  port: config.http.port,
  host: config.http.host,
  httpLimits: config.http.limits,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
});
