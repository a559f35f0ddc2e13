import { z } from 'zod';

/** Only the fields the mock reads are checked; anything else a client sends is accepted and ignored. */

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

export const openAiMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPart)]).nullish(),
  tool_calls: z.array(z.looseObject({ id: z.string() })).nullish(),
  tool_call_id: z.string().nullish(),
});

const toolSchema = z.looseObject({
  type: z.string(),
  function: z.looseObject({ name: z.string().min(1) }).optional(),
});

const positiveTokens = z.int().min(1).nullish();

export const openAiChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(openAiMessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: positiveTokens,
  max_completion_tokens: positiveTokens,
  tools: z.array(toolSchema).nullish(),
  response_format: z
    .looseObject({
      type: z.string(),
      json_schema: z.looseObject({ schema: z.record(z.string(), z.unknown()).nullish() }).nullish(),
    })
    .nullish(),
  n: z.int().min(1).max(128).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().min(0).max(20).nullish(),
});

export type OpenAiMessage = z.output<typeof openAiMessageSchema>;
export type OpenAiChatRequest = z.output<typeof openAiChatRequestSchema>;

const tokenArray = z.array(z.int().min(0)).min(1);

export const openAiEmbeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string().min(1),
    z.array(z.string().min(1)).min(1).max(2048),
    tokenArray,
    z.array(tokenArray).min(1).max(2048),
  ]),
  dimensions: z.int().min(1).max(8192).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
});

export type OpenAiEmbeddingsRequest = z.output<typeof openAiEmbeddingsRequestSchema>;
