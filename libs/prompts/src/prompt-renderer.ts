import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Mustache from 'mustache';
import { PromptErrorCode, PromptException } from './prompt.exception';
import type { PromptVersionRecord } from './prompt.types';
import type { PromptMessage } from './prompt-version.schema';

/**
 * Prompts are text, not HTML: a variable goes in as it is. `{{name}}` and `{{{name}}}` are the
 * same here; sections, inverted sections and comments work as in any Mustache template; partials
 * are not supported (they render empty).
 */
const RENDER_OPTIONS = { escape: (value: unknown) => String(value) };

/** One process-wide Ajv. Compiled validators are kept with their (immutable) version, not in Ajv's own cache. */
const ajv = new Ajv({ allErrors: false, strict: false, addUsedSchema: false });

function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  try {
    return ajv.compile(schema);
  } finally {
    // The validator stays usable; Ajv forgets the schema (its cache would grow with every version loaded).
    ajv.removeSchema(schema);
  }
}

/** A version ready to render: its variables' validator compiled and its templates parsed once. */
export interface CompiledPrompt {
  readonly version: PromptVersionRecord;
  render(variables: Record<string, unknown>, paramPrefix?: string): PromptMessage[];
}

/** Checks a version's messages and schema before it is stored: throws `invalid_prompt_template` naming the field. */
export function checkPromptSource(messages: readonly PromptMessage[], schema: Record<string, unknown>): void {
  messages.forEach((message, index) => {
    try {
      Mustache.parse(message.content);
    } catch (error) {
      throw PromptException.invalidTemplate(`messages[${index}].content is not a valid template: ${(error as Error).message}`, `messages[${index}].content`);
    }
  });
  try {
    compileSchema(schema);
  } catch (error) {
    throw PromptException.invalidTemplate(`variables is not a usable JSON schema: ${(error as Error).message}`, 'variables');
  }
}

export function compilePrompt(version: PromptVersionRecord): CompiledPrompt {
  const validate = compileSchema(version.variables);
  for (const message of version.messages) Mustache.parse(message.content);
  return {
    version,
    render(variables, paramPrefix = 'variables') {
      if (!validate(variables)) throw variablesError(validate.errors?.[0], paramPrefix);
      return version.messages.map((message) => ({ role: message.role, content: Mustache.render(message.content, variables, undefined, RENDER_OPTIONS) }));
    },
  };
}

/** `/customer/items/0` + missing `sku` → `customer.items[0].sku`. */
export function variablePath(error: Pick<ErrorObject, 'instancePath' | 'keyword' | 'params'>): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

function variablesError(error: ErrorObject | undefined, prefix: string): PromptException {
  if (!error) return new PromptException(PromptErrorCode.InvalidVariables, 'The variables do not match the template.', { param: prefix });
  const path = variablePath(error);
  const param = path ? `${prefix}.${path}` : prefix;
  const what =
    error.keyword === 'required'
      ? `Variable '${path}' is required.`
      : error.keyword === 'additionalProperties'
        ? `Variable '${path}' is not declared by the template.`
        : `Variable '${path || '(root)'}' ${error.message ?? 'is invalid'}.`;
  return new PromptException(PromptErrorCode.InvalidVariables, what, { param });
}
