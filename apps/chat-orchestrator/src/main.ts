import './instrumentation';
import { loadConfigOrExit } from '@conduit/config';
import { bootstrapService } from '@conduit/runtime';
import { AppModule } from './app.module';
import { orchestratorConfigSchema } from './config/chat-orchestrator.config';

const config = loadConfigOrExit('chat-orchestrator', orchestratorConfigSchema);

void bootstrapService({
  name: 'chat-orchestrator',
  module: AppModule.register(config),
  port: config.http.port,
  host: config.http.host,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
});
