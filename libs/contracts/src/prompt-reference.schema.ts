import { z } from 'zod';

/** Template names: 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit. */
export const PROMPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Label names (`production`, `staging`, custom): 1-64 lower-case letters, digits, "_" or "-". */
export const PROMPT_LABEL = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** The label used when a request names neither a label nor a version. */
export const DEFAULT_PROMPT_LABEL = 'production';

export const promptNameSchema = z.string().regex(PROMPT_NAME, 'prompt names are 1-128 letters, digits, ".", "_" or "-"');
export const promptLabelSchema = z.string().regex(PROMPT_LABEL, 'labels are 1-64 lower-case letters, digits, "_" or "-"');

/**
 * `conduit.prompt`: render a stored prompt template before the request's own messages. `label`
 * (default `production`) or `version` picks the version; `variables` are checked against the
 * version's JSON schema.
 */
export const promptReferenceSchema = z
  .strictObject({
    name: promptNameSchema,
    label: promptLabelSchema.optional(),
    version: z.number().int().min(1).optional(),
    variables: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((ref) => ref.label === undefined || ref.version === undefined, { message: 'give a label or a version, not both', path: ['version'] });

export type PromptReference = z.output<typeof promptReferenceSchema>;
