import { z } from 'zod';

/** Only the fields the mock reads are checked; anything else a client sends is accepted and ignored. */

const contentBlock = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  cache_control: z.unknown().optional(),
  /** `tool_use` blocks. */
  id: z.string().optional(),
  /** `tool_result` blocks. */
  tool_use_id: z.string().optional(),
});

export const anthropicMessageSchema = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlock)]),
});

const countTokensShape = {
  model: z.string().min(1),
  messages: z.array(anthropicMessageSchema).min(1),
  system: z.union([z.string(), z.array(contentBlock)]).optional(),
  tools: z.array(z.looseObject({ name: z.string().min(1), input_schema: z.record(z.string(), z.unknown()).optional() })).optional(),
};

export const anthropicCountTokensRequestSchema = z.looseObject(countTokensShape);

export const anthropicMessagesRequestSchema = z.looseObject({
  ...countTokensShape,
  max_tokens: z.int().min(1),
  stream: z.boolean().optional(),
  output_config: z.looseObject({ format: z.looseObject({ type: z.string() }).nullish() }).optional(),
  tool_choice: z.looseObject({ type: z.string(), name: z.string().optional() }).optional(),
});

export type AnthropicCountTokensRequest = z.output<typeof anthropicCountTokensRequestSchema>;
export type AnthropicMessagesRequest = z.output<typeof anthropicMessagesRequestSchema>;
