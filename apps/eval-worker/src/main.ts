import './instrumentation';
import { ConfigValidationError, loadConfigOrExit } from '@conduit/config';
import { LlmConfig, llmConfigFromEnv } from '@conduit/llm';
import { bootstrapService } from '@conduit/runtime';
import { AppModule } from './app.module';
import { evalWorkerConfigSchema } from './config/eval-worker.config';

const config = loadConfigOrExit('eval-worker', evalWorkerConfigSchema);
// The judges' providers and routes: the same variables (and LLM_CONFIG_FILE) as the orchestrator.
let llm: LlmConfig;
try {
  llm = llmConfigFromEnv(process.env);
} catch (error) {
  if (!(error instanceof ConfigValidationError)) throw error;
  process.stderr.write(`eval-worker: ${error.message}\n`);
  process.exit(78);
}

void bootstrapService({
  name: 'eval-worker',
  module: AppModule.register(config, llm),
  port: config.http.port,
  host: config.http.host,
  httpLimits: config.http.limits,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
});
