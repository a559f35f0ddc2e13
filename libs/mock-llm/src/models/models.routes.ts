import type { FastifyPluginCallback } from 'fastify';
import { anthropicWire } from '../anthropic/anthropic.wire';
import { wireErrorHandler } from '../exchange/wire-error-handler';
import type { MockLlmState } from '../mock-llm.state';
import { openAiWire } from '../openai/openai.wire';
import { modelsHandler } from './models.handler';

/** `GET /v1/models`, shared by both wires (errors shaped by the `anthropic-version` header). */
export const modelsRoutes: FastifyPluginCallback<{ state: MockLlmState }> = (app, { state }, done) => {
  app.setErrorHandler(
    wireErrorHandler(state, (request) =>
      request.headers['anthropic-version'] === undefined ? openAiWire : anthropicWire,
    ),
  );
  app.get('/v1/models', modelsHandler(state));
  done();
};
