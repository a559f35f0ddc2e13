import './instrumentation';
import { ConfigValidationError, loadConfigOrExit } from '@conduit/config';
import { LlmConfig, llmConfigFromEnv } from '@conduit/llm';
import { bootstrapService } from '@conduit/runtime';
import { AppModule } from './app.module';
import { orchestratorConfigSchema } from './config/chat-orchestrator.config';
import { ORCHESTRATOR_ERROR_STATUS } from './errors/error-status';

const config = loadConfigOrExit('chat-orchestrator', orchestratorConfigSchema);
let llm: LlmConfig;
try {
  llm = llmConfigFromEnv(process.env);
} catch (error) {
  if (!(error instanceof ConfigValidationError)) throw error;
  process.stderr.write(`chat-orchestrator: ${error.message}\n`);
  process.exit(78);
}

void bootstrapService({
  name: 'chat-orchestrator',
  module: AppModule.register(config, llm),
  port: config.http.port,
  host: config.http.host,
  httpLimits: config.http.limits,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  // Errors are OpenAI-shaped (every service's are) so the gateway can pass them through unchanged.
  errors: ORCHESTRATOR_ERROR_STATUS,
  bodyLimitBytes: 8 * 1_048_576,
});
