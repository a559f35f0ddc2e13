import Ajv, { type ValidateFunction } from 'ajv';
import { Counter } from 'prom-client';
import type { ResponseFormat } from '@conduit/llm';
import { metricsRegistry } from '@conduit/observability';
import { RuntimeErrorCode, RuntimeException } from '@conduit/runtime';

/**
 * `conduit.validate_json`: the answer checked against the request's `response_format` before it
 * is sent. `json_object`: the text parses as a JSON object; `json_schema`: it parses and the value
 * follows the schema (Ajv, JSON Schema draft-07 semantics; `$schema` is ignored, unknown formats
 * and keywords are not enforced).
 */

/** One process-wide Ajv; compiled validators are kept in {@link compiled}, not in Ajv's own cache. */
const ajv = new Ajv({ allErrors: false, strict: false, addUsedSchema: false, logger: false });

const COMPILED_CAPACITY = 256;
/** Schema JSON → its validator, least recently used first (a client usually repeats one schema). */
const compiled = new Map<string, ValidateFunction>();

/**
 * `conduit_structured_output_checks_total{outcome}`: one per request checked — `valid` (first
 * answer), `retried_valid` (the second call's answer), `invalid` (both invalid: 502).
 */
export const structuredOutputChecks = new Counter({
  name: 'conduit_structured_output_checks_total',
  help: 'Answers checked for conduit.validate_json, by outcome (valid, retried_valid, invalid)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

function validatorOf(schema: Record<string, unknown>): ValidateFunction {
  const { $schema: _dialect, ...rest } = schema;
  const key = JSON.stringify(rest);
  const hit = compiled.get(key);
  if (hit !== undefined) {
    compiled.delete(key);
    compiled.set(key, hit);
    return hit;
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(rest);
  } catch (error) {
    throw new RuntimeException(RuntimeErrorCode.InvalidRequest, `response_format.json_schema.schema is not a usable JSON schema: ${(error as Error).message}`, {
      param: 'response_format.json_schema.schema',
    });
  } finally {
    ajv.removeSchema(rest);
  }
  compiled.set(key, validate);
  if (compiled.size > COMPILED_CAPACITY) compiled.delete(compiled.keys().next().value as string);
  return validate;
}

/** What is wrong with an answer, or undefined when it is valid. */
export type JsonAnswerCheck = (text: string) => string | undefined;

/**
 * The check for a JSON `response_format`, or undefined for `text` or none. A schema Ajv cannot
 * compile is the caller's fault: 400 `invalid_request` naming `response_format.json_schema.schema`,
 * before any model call.
 */
export function jsonAnswerCheckOf(format: ResponseFormat | undefined): JsonAnswerCheck | undefined {
  if (format === undefined || format.type === 'text') return undefined;
  const validate = format.type === 'json_schema' && format.json_schema.schema !== undefined ? validatorOf(format.json_schema.schema) : undefined;
  return (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return 'the answer is not JSON';
    }
    if (validate === undefined) {
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'the answer is not a JSON object';
    }
    if (validate(value)) return undefined;
    const [error] = validate.errors ?? [];
    return error ? `the answer does not match the schema: ${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}` : 'the answer does not match the schema';
  };
}
