import { promptVersionInputSchema } from '@conduit/prompts';
import type { OpenApiOperation } from '../docs/openapi.operation';
import { createTemplateBodySchema, diffQuerySchema, promoteBodySchema, renderBodySchema, setExperimentBodySchema, setLabelBodySchema } from './prompts.dto';

const tag = 'Prompts';
const P = '/v1/prompts/{name}';
const ADMINS = ' (tenant admins)';

/** The prompt templates API in the OpenAPI document. Users of the tenant read and preview; tenant admins write. */
export const PROMPT_OPERATIONS: OpenApiOperation[] = [
  { method: 'post', path: '/v1/prompts', summary: `Create a prompt template${ADMINS}`, tag, body: createTemplateBodySchema, success: 201 },
  { method: 'get', path: '/v1/prompts', summary: "The tenant's prompt templates with their last version and labels", tag, success: 200 },
  { method: 'get', path: P, summary: 'Get a prompt template with its labels', tag, pathParams: ['name'], success: 200 },
  { method: 'post', path: `${P}/versions`, summary: `Create a version (immutable: messages as Mustache templates, a JSON schema of the variables, default model, params and tools, commit message)${ADMINS}`, tag, pathParams: ['name'], body: promptVersionInputSchema, success: 201 },
  { method: 'get', path: `${P}/versions`, summary: 'List versions, newest first', tag, pathParams: ['name'], success: 200 },
  { method: 'get', path: `${P}/versions/{version}`, summary: 'Get a version', tag, pathParams: ['name', 'version'], success: 200 },
  { method: 'get', path: `${P}/diff`, summary: 'What changed between two versions, field by field', tag, pathParams: ['name'], query: diffQuerySchema, success: 200 },
  { method: 'put', path: `${P}/labels/{label}`, summary: `Point a label at a version, ending any experiment on it; rollback is this call on \`production\`${ADMINS}`, tag, pathParams: ['name', 'label'], body: setLabelBodySchema, success: 200 },
  { method: 'delete', path: `${P}/labels/{label}`, summary: `Delete a label (no process serves it after the announcement)${ADMINS}`, tag, pathParams: ['name', 'label'], success: 200 },
  { method: 'put', path: `${P}/labels/{label}/experiment`, summary: `Start an A/B experiment on a label or change its weights (sticky per user; a weight change moves only the users it must)${ADMINS}`, tag, pathParams: ['name', 'label'], body: setExperimentBodySchema, success: 200 },
  { method: 'post', path: `${P}/labels/{label}/promote`, summary: `End the label's experiment: the label points at the winner${ADMINS}`, tag, pathParams: ['name', 'label'], body: promoteBodySchema, success: 200 },
  { method: 'get', path: `${P}/label-events`, summary: 'The audit log of label moves, newest first', tag, pathParams: ['name'], success: 200 },
  { method: 'post', path: `${P}/render`, summary: 'Render a preview of a version (by label or number) with the given variables; 400 `invalid_prompt_variables` names the bad variable', tag, pathParams: ['name'], body: renderBodySchema, success: 200 },
];
