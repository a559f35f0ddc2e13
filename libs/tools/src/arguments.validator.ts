import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ToolException } from './tool.exception';

/** One process-wide Ajv; compiled validators are cached by schema text (bounded), not in Ajv's own cache. */
const ajv = new Ajv({ allErrors: false, strict: false, addUsedSchema: false });
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 1_000;

function compile(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const cached = compiled.get(key);
  if (cached) return cached;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } finally {
    ajv.removeSchema(schema);
  }
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(key, validate);
  return validate;
}

/** Throws `invalid_tool_schema` unless `schema` is a JSON schema Ajv compiles and describes an object. */
export function checkToolSchema(schema: unknown): Record<string, unknown> {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw ToolException.invalidSchema('it must be a JSON object');
  const type = (schema as { type?: unknown }).type;
  if (type !== undefined && type !== 'object') throw ToolException.invalidSchema('a tool takes an object of arguments ("type": "object")');
  try {
    compile(schema as Record<string, unknown>);
  } catch (error) {
    throw ToolException.invalidSchema((error as Error).message);
  }
  return schema as Record<string, unknown>;
}

const describe = (error: ErrorObject | undefined): string => {
  if (!error) return 'the arguments do not match the schema';
  const where = error.instancePath ? `arguments${error.instancePath.replace(/\//g, '.')}` : 'arguments';
  return `${where} ${error.message ?? 'is invalid'}`;
};

/**
 * The arguments as an object, checked against the tool's schema: `{ ok: false, message }` when they
 * are not JSON, not an object or do not match (the model is told, the call is not made).
 */
export function validateToolArguments(schema: Record<string, unknown>, args: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let value = args;
  if (typeof value === 'string') {
    try {
      value = value.trim() === '' ? {} : JSON.parse(value);
    } catch {
      return { ok: false, message: 'the arguments are not valid JSON' };
    }
  }
  if (value === undefined || value === null) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'the arguments must be a JSON object' };
  let validate: ValidateFunction;
  try {
    validate = compile(schema);
  } catch (error) {
    return { ok: false, message: `the tool's schema is unusable: ${(error as Error).message}` };
  }
  if (!validate(value)) return { ok: false, message: describe(validate.errors?.[0]) };
  return { ok: true, value: value as Record<string, unknown> };
}
