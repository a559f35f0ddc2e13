import { z } from 'zod';
import { toolDefinitionSchema } from '@conduit/contracts';
import { PROMPT_ROLES } from './prompts.constants';

const messageSchema = z.strictObject({
  role: z.enum(PROMPT_ROLES, `role must be one of ${PROMPT_ROLES.join(', ')}`),
  /** A Mustache template: `{{name}}` inserts a variable as is (no HTML escaping). */
  content: z.string().min(1).max(100_000),
});


/** Request parameters a version gives by default (the request's own values win). */
export const promptParamsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  max_tokens: z.number().int().min(1).optional(),
  stop: z.array(z.string().min(1)).max(4).optional(),
});

/** A new version of a template (`POST .../versions`): everything a version holds but its number and author. */
export const promptVersionInputSchema = z.strictObject({
  messages: z.array(messageSchema).min(1, 'a version needs at least one message').max(64),
  /** JSON schema (draft 2020-12 subset that Ajv accepts) of the variables object. */
  variables: z.record(z.string(), z.unknown()).default({}),
  default_model: z.string().regex(/^[\x21-\x7e]{1,256}$/, 'model must be 1-256 visible ASCII characters').optional(),
  params: promptParamsSchema.default({}),
  tools: z.array(toolDefinitionSchema).max(128).optional(),
  commit_message: z.string().max(2_000).default(''),
});

export type PromptVersionInput = z.output<typeof promptVersionInputSchema>;
export type PromptParams = z.output<typeof promptParamsSchema>;
export type PromptTool = z.output<typeof toolDefinitionSchema>;
export type PromptMessage = z.output<typeof messageSchema>;
