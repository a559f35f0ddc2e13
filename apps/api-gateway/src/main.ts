import './instrumentation';
import { loadConfigOrExit } from '@conduit/config';
import { bootstrapService } from '@conduit/runtime';
import { AppModule } from './app.module';
import { OpenAiErrorFilter } from './errors/openai-error.filter';
import { gatewayConfigSchema } from './config/api-gateway.config';

const config = loadConfigOrExit('api-gateway', gatewayConfigSchema);

void bootstrapService({
  name: 'api-gateway',
  module: AppModule.register(config),
  port: config.http.port,
  host: config.http.host,
  httpLimits: config.http.limits,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  filter: new OpenAiErrorFilter(),
  bodyLimitBytes: config.bodyLimitBytes,
});
