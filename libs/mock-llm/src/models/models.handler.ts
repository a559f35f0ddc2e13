import type { FastifyReply, FastifyRequest } from 'fastify';
import { anthropicWire } from '../anthropic/anthropic.wire';
import { openAiWire } from '../openai/openai.wire';
import type { MockLlmState } from '../mock-llm.state';

/** Fixed timestamp so listings are byte-for-byte repeatable. */
const CREATED_AT = '2025-01-01T00:00:00Z';
const CREATED_UNIX = Date.parse(CREATED_AT) / 1000;

function anthropicModel(id: string) {
  return {
    type: 'model',
    id,
    display_name: id,
    created_at: CREATED_AT,
    capabilities: null,
    deprecated_at: null,
    lifecycle: 'active',
    line: null,
    max_input_tokens: null,
    max_tokens: null,
    retires_at: null,
  };
}

/**
 * `GET /v1/models`. Both providers use this path: requests carrying `anthropic-version` get
 * Anthropic's paged shape, the rest OpenAI's list.
 */
export function modelsHandler(state: MockLlmState) {
  return function models(request: FastifyRequest, reply: FastifyReply): void {
    const anthropic = request.headers['anthropic-version'] !== undefined;
    const exchange = state.begin(request, reply, anthropic ? anthropicWire : openAiWire, {
      model: null,
      stream: false,
      promptTokens: 0,
    });
    if (exchange.applyFault()) return;

    const ids = state.options.models;
    if (anthropic) {
      exchange.sendJson({
        data: ids.map(anthropicModel),
        has_more: false,
        first_id: ids[0] ?? null,
        last_id: ids[ids.length - 1] ?? null,
      });
      return;
    }
    exchange.sendJson({
      object: 'list',
      data: ids.map((id) => ({ id, object: 'model', created: CREATED_UNIX, owned_by: 'conduit-mock' })),
    });
  };
}
