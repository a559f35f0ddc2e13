import type { FastifyPluginCallback } from 'fastify';
import { anthropicRoutes } from './anthropic/anthropic.routes';
import { controlRoutes } from './control/control.routes';
import { MOCK_CONTROL_PREFIX } from './mock-llm.constants';
import type { MockLlmState } from './mock-llm.state';
import { modelsRoutes } from './models/models.routes';
import { openAiRoutes } from './openai/openai.routes';

export interface MockLlmPluginOptions {
  state: MockLlmState;
}

/**
 * The mock LLM upstream as a Fastify plugin: OpenAI and Anthropic wire endpoints under `/v1`,
 * test controls under `/_mock`. Encapsulated, so its error handlers only cover its own routes.
 */
export const mockLlmPlugin: FastifyPluginCallback<MockLlmPluginOptions> = (app, { state }, done) => {
  // In-flight requests (hung by a timeout fault, mid-stream) must not hold up shutdown.
  app.addHook('preClose', (hookDone) => {
    state.abortAll();
    hookDone();
  });
  app.register(openAiRoutes, { state });
  app.register(anthropicRoutes, { state });
  app.register(modelsRoutes, { state });
  app.register(controlRoutes, { state, prefix: MOCK_CONTROL_PREFIX });
  done();
};
