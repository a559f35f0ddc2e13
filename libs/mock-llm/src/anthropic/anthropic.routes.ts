import type { FastifyPluginCallback } from 'fastify';
import { wireErrorHandler } from '../exchange/wire-error-handler';
import { MOCK_BODY_LIMIT_BYTES } from '../mock-llm.constants';
import type { MockLlmState } from '../mock-llm.state';
import { anthropicWire } from './anthropic.wire';
import { anthropicCountTokensHandler, anthropicMessagesHandler } from './anthropic-messages.handler';

/** Anthropic wire: messages and count_tokens, errors in Anthropic's shape. */
export const anthropicRoutes: FastifyPluginCallback<{ state: MockLlmState }> = (app, { state }, done) => {
  app.setErrorHandler(wireErrorHandler(state, () => anthropicWire));
  app.post('/v1/messages', { bodyLimit: MOCK_BODY_LIMIT_BYTES }, anthropicMessagesHandler(state));
  app.post('/v1/messages/count_tokens', { bodyLimit: MOCK_BODY_LIMIT_BYTES }, anthropicCountTokensHandler(state));
  done();
};
