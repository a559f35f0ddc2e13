import './instrumentation';
import { loadConfigOrExit } from '@conduit/config';
import { bootstrapService } from '@conduit/runtime';
import { AppModule } from './app.module';
import { gatewayConfigSchema } from './config/api-gateway.config';
import { GATEWAY_ERROR_STATUS } from './errors/error-status';
import { installBrowserEdge } from './http/browser-edge';

const config = loadConfigOrExit('api-gateway', gatewayConfigSchema);

void bootstrapService({
  name: 'api-gateway',
  module: AppModule.register(config),
  port: config.http.port,
  host: config.http.host,
  httpLimits: config.http.limits,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  errors: GATEWAY_ERROR_STATUS,
  bodyLimitBytes: config.bodyLimitBytes,
  configure: (app) => installBrowserEdge(app.getHttpAdapter().getInstance(), config.browser),
});
