import { z } from 'zod';
import { modelNameSchema } from '@conduit/contracts';
import { EMBEDDING_MAX_DIMENSIONS } from '@conduit/embeddings';
import { EmbeddingsErrorCode } from './embeddings.exception';

/** Most inputs one request may carry (OpenAI's limit). */
export const EMBEDDINGS_MAX_INPUTS = 2048;

/** The fields `POST /v1/embeddings` knows; any other is refused (`unsupported_parameter`), never ignored. */
const KNOWN_FIELDS = new Set(['model', 'input', 'dimensions', 'encoding_format', 'user']);

const tokenId = z.int().min(0).max(2_147_483_647);

/** The body of `POST /v1/embeddings` (OpenAI's `CreateEmbeddingRequest`). */
export const createEmbeddingsBodySchema = z
  .looseObject({
    model: modelNameSchema,
    input: z
      .union([z.string(), z.array(z.string()), z.array(tokenId), z.array(z.array(tokenId))])
      .describe('A text, a list of texts, one token array (cl100k_base ids) or a list of token arrays; at most 2048 inputs, none empty.'),
    dimensions: z.int().min(1).max(EMBEDDING_MAX_DIMENSIONS).optional().describe('Output size, where the model can shorten its vectors.'),
    encoding_format: z.enum(['float', 'base64']).default('float').describe('`float` (JSON numbers) or `base64` (little-endian float32 bytes).'),
    user: z.string().max(256).optional().describe("Accepted for OpenAI compatibility; not used (the caller is the API key's user)."),
  })
  .superRefine((body, ctx) => {
    for (const field of Object.keys(body)) {
      if (!KNOWN_FIELDS.has(field)) {
        ctx.addIssue({ code: 'custom', message: `${field} is not a parameter of the embeddings API.`, path: [field], params: { code: EmbeddingsErrorCode.UnsupportedParameter } });
        return;
      }
    }
    const { input } = body;
    const inputs: unknown[] = typeof input === 'string' || (input.length > 0 && typeof input[0] === 'number') ? [input] : input;
    if (inputs.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'input must hold at least one text or token array.', path: ['input'], params: { code: EmbeddingsErrorCode.EmptyInput } });
      return;
    }
    if (inputs.length > EMBEDDINGS_MAX_INPUTS) {
      ctx.addIssue({
        code: 'custom',
        message: `input holds ${inputs.length} inputs; at most ${EMBEDDINGS_MAX_INPUTS} per request.`,
        path: ['input'],
        params: { code: EmbeddingsErrorCode.TooManyInputs },
      });
      return;
    }
    const empty = inputs.findIndex((item) => (item as string | number[]).length === 0);
    if (empty >= 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'input must not hold an empty string or an empty token array.',
        path: typeof input === 'string' ? ['input'] : ['input', empty],
        params: { code: EmbeddingsErrorCode.EmptyInput },
      });
    }
  });
export type CreateEmbeddingsBody = z.output<typeof createEmbeddingsBodySchema>;

/** The inputs of a request as a list: texts, or token arrays (never mixed: the schema allows neither). */
export function inputsOf(input: CreateEmbeddingsBody['input']): string[] | number[][] {
  if (typeof input === 'string') return [input];
  if (input.length > 0 && typeof input[0] === 'number') return [input as number[]];
  return input as string[] | number[][];
}

/** One vector of the answer. */
export interface EmbeddingItem {
  object: 'embedding';
  index: number;
  embedding: number[] | string;
}

/** The answer: exactly OpenAI's `CreateEmbeddingResponse`. */
export interface EmbeddingsResponse {
  object: 'list';
  data: EmbeddingItem[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
