import type { FastifyPluginCallback } from 'fastify';
import { wireErrorHandler } from '../exchange/wire-error-handler';
import type { MockLlmState } from '../mock-llm.state';
import { MOCK_BODY_LIMIT_BYTES } from '../mock-llm.constants';
import { openAiChatHandler } from './openai-chat.handler';
import { openAiEmbeddingsHandler } from './openai-embeddings.handler';
import { openAiWire } from './openai.wire';

/** OpenAI wire: chat completions and embeddings, errors in OpenAI's shape. */
export const openAiRoutes: FastifyPluginCallback<{ state: MockLlmState }> = (app, { state }, done) => {
  app.setErrorHandler(wireErrorHandler(state, () => openAiWire));
  app.post('/v1/chat/completions', { bodyLimit: MOCK_BODY_LIMIT_BYTES }, openAiChatHandler(state));
  app.post('/v1/embeddings', { bodyLimit: MOCK_BODY_LIMIT_BYTES }, openAiEmbeddingsHandler(state));
  done();
};
