import './instrumentation';
import { loadConfigOrExit } from '@conduit/config';
import { bootstrapService } from '@conduit/runtime';
import { AppModule } from './app.module';
import { evalWorkerConfigSchema } from './config/eval-worker.config';

const config = loadConfigOrExit('eval-worker', evalWorkerConfigSchema);

void bootstrapService({
  name: 'eval-worker',
  module: AppModule.register(config),
  port: config.http.port,
  host: config.http.host,
  httpLimits: config.http.limits,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
});
