import { z } from 'zod';
import { promptLabelSchema, promptNameSchema } from '@conduit/contracts';
import type { PromptFieldChange, PromptLabelEventRecord, PromptLabelRecord, PromptMessage, PromptParams, PromptTemplateRecord, PromptTool, PromptVersionRecord } from '@conduit/prompts';
import { unixSeconds } from '../sessions/list-page';

const versionNumber = z.coerce.number().int().min(1, 'versions start at 1');

/** `POST /v1/prompts`. */
export const createTemplateBodySchema = z.strictObject({ name: promptNameSchema, description: z.string().max(2_000).optional() });
export type CreateTemplateBody = z.output<typeof createTemplateBodySchema>;

/** `PUT /v1/prompts/{name}/labels/{label}`: point the label at a version (rollback: point `production` back). */
export const setLabelBodySchema = z.strictObject({ version: z.number().int().min(1) });
export type SetLabelBody = z.output<typeof setLabelBodySchema>;

/** `PUT /v1/prompts/{name}/labels/{label}/experiment`: split the label's traffic by weight. */
export const setExperimentBodySchema = z.strictObject({
  variants: z
    .array(z.strictObject({ version: z.number().int().min(1), weight: z.number().min(0).max(1_000_000) }))
    .min(2, 'an experiment needs at least two variants')
    .max(10),
});
export type SetExperimentBody = z.output<typeof setExperimentBodySchema>;

/** `POST /v1/prompts/{name}/labels/{label}/promote`: end the experiment; the label points at the winner. */
export const promoteBodySchema = z.strictObject({ version: z.number().int().min(1) });
export type PromoteBody = z.output<typeof promoteBodySchema>;

/** `GET /v1/prompts/{name}/diff?from=1&to=2`. */
export const diffQuerySchema = z.strictObject({ from: versionNumber, to: versionNumber });
export type DiffQuery = z.output<typeof diffQuerySchema>;

/** `POST /v1/prompts/{name}/render`: a preview, with the same checks a chat request gets. */
export const renderBodySchema = z
  .strictObject({ label: promptLabelSchema.optional(), version: z.number().int().min(1).optional(), variables: z.record(z.string(), z.unknown()).default({}) })
  .refine((body) => body.label === undefined || body.version === undefined, { message: 'give a label or a version, not both', path: ['version'] });
export type RenderBody = z.output<typeof renderBodySchema>;

export const labelParamSchema = promptLabelSchema;
export const nameParamSchema = promptNameSchema;
export const versionParamSchema = versionNumber;

export interface PromptLabelObject {
  name: string;
  version: number;
  experiment: { id: string; variants: { version: number; weight: number }[]; started_at: string } | null;
  updated_at: number;
  updated_by: string | null;
}

export interface PromptTemplateObject {
  object: 'prompt_template';
  id: string;
  name: string;
  description: string;
  latest_version: number | null;
  labels: PromptLabelObject[];
  created_by: string | null;
  created_at: number;
}

export interface PromptVersionObject {
  object: 'prompt_version';
  name: string;
  version: number;
  messages: PromptMessage[];
  variables: Record<string, unknown>;
  default_model: string | null;
  params: PromptParams;
  tools: PromptTool[] | null;
  author_id: string | null;
  commit_message: string;
  created_at: number;
}

export const labelObject = (label: PromptLabelRecord): PromptLabelObject => ({
  name: label.name,
  version: label.version,
  experiment: label.experiment ? { id: label.experiment.id, variants: label.experiment.variants, started_at: label.experiment.startedAt } : null,
  updated_at: unixSeconds(label.updatedAt),
  updated_by: label.updatedBy,
});

export const templateObject = (template: PromptTemplateRecord & { latestVersion?: number | null; labels?: PromptLabelRecord[] }): PromptTemplateObject => ({
  object: 'prompt_template',
  id: template.id,
  name: template.name,
  description: template.description,
  latest_version: template.latestVersion ?? null,
  labels: (template.labels ?? []).map(labelObject),
  created_by: template.createdBy,
  created_at: unixSeconds(template.createdAt),
});

export const versionObject = (version: PromptVersionRecord): PromptVersionObject => ({
  object: 'prompt_version',
  name: version.name,
  version: version.version,
  messages: version.messages,
  variables: version.variables,
  default_model: version.defaultModel,
  params: version.params,
  tools: version.tools,
  author_id: version.authorId,
  commit_message: version.commitMessage,
  created_at: unixSeconds(version.createdAt),
});

export const labelEventObject = (event: PromptLabelEventRecord) => ({
  object: 'prompt_label_event' as const,
  label: event.label,
  action: event.action,
  from_version: event.fromVersion,
  to_version: event.toVersion,
  experiment: event.experiment,
  actor: event.actor,
  created_at: unixSeconds(event.createdAt),
});

export interface PromptDiffObject {
  object: 'prompt_diff';
  name: string;
  from: number;
  to: number;
  changes: PromptFieldChange[];
}
