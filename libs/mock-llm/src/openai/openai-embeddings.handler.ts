import type { FastifyReply, FastifyRequest } from 'fastify';
import { EmbeddingCache } from '../core/embedding-cache';
import { parseBody } from '../core/parse-body';
import { countTokens } from '../core/token-count';
import type { MockLlmState } from '../mock-llm.state';
import { openAiWire } from './openai.wire';
import { openAiEmbeddingsRequestSchema, type OpenAiEmbeddingsRequest } from './openai.schemas';

/** Each input as the text its vector is derived from, plus the total token count. */
function normalizeInputs(input: OpenAiEmbeddingsRequest['input']): { keys: string[]; tokens: number } {
  if (typeof input === 'string') return { keys: [input], tokens: countTokens(input) };
  if (input.every((item) => typeof item === 'number')) {
    // One pre-tokenised input: the whole array is a single input.
    return { keys: [`tokens:${input.join(',')}`], tokens: input.length };
  }
  const keys: string[] = [];
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') {
      keys.push(item);
      tokens += countTokens(item);
    } else if (Array.isArray(item)) {
      keys.push(`tokens:${item.join(',')}`);
      tokens += item.length;
    }
  }
  return { keys, tokens };
}

/**
 * `POST /v1/embeddings`: deterministic unit vectors, `float` or `base64` encoded. The body is
 * assembled from cached per-input JSON, since serialising the floats is the expensive part.
 */
export function openAiEmbeddingsHandler(state: MockLlmState) {
  const cache = new EmbeddingCache();
  return function embeddings(request: FastifyRequest, reply: FastifyReply): void {
    const body = parseBody(openAiEmbeddingsRequestSchema, request.body);
    const { keys, tokens } = normalizeInputs(body.input);
    const exchange = state.begin(request, reply, openAiWire, { model: body.model, stream: false, promptTokens: tokens, promptText: keys.join('\n') });
    if (exchange.applyFault()) return;

    const dimensions = body.dimensions ?? state.options.embeddingDimensions;
    const base64 = body.encoding_format === 'base64';
    let data = '';
    for (let index = 0; index < keys.length; index++) {
      if (index > 0) data += ',';
      data += `{"object":"embedding","index":${index},"embedding":${cache.json(keys[index], dimensions, base64)}}`;
    }
    const usage = `{"prompt_tokens":${tokens},"total_tokens":${tokens}}`;
    exchange.sendSerialized(`{"object":"list","data":[${data}],"model":${JSON.stringify(body.model)},"usage":${usage}}`);
  };
}
