import './instrumentation';
import { ConfigValidationError, loadConfigOrExit } from '@conduit/config';
import { createMockLlmServer, mockLlmOptionsFromEnv } from '@conduit/mock-llm';
import { bootstrapService } from '@conduit/runtime';
import { AppModule } from './app.module';
import { mockLlmServiceConfigSchema } from './config/mock-llm.config';

const config = loadConfigOrExit('mock-llm', mockLlmServiceConfigSchema);
let options;
try {
  options = mockLlmOptionsFromEnv(process.env);
} catch (error) {
  const message = error instanceof ConfigValidationError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`mock-llm: invalid configuration: ${message}\n`);
  process.exit(78);
}

void bootstrapService({
  name: 'mock-llm',
  module: AppModule.register(config),
  port: config.http.port,
  host: config.http.host,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  fastify: createMockLlmServer(options),
});
