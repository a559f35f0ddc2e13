/**
 * A minimal value that satisfies a JSON schema, for the mock's schema mode: the same schema always
 * gives the same value. It covers what structured-output schemas use (OpenAI strict mode, zod via
 * `zodResponseFormat`, Anthropic tool input schemas):
 *
 * - `const`, then `enum` (the first value); `type` (for a list of types, the first that is not
 *   `null`, else `null`);
 * - objects: every `required` property, each a minimal value of its own schema (optional
 *   properties are left out);
 * - arrays: `minItems` items of the `items` schema (none by default); a tuple's `prefixItems`;
 * - strings: `"mock"` cut or padded to `minLength`/`maxLength`, a fixed date for `format` `date`
 *   / `date-time`, an address for `email`, a uuid for `uuid`, a URL for `uri`;
 * - numbers and integers: 0, moved into `minimum`/`maximum`/`exclusiveMinimum`/`exclusiveMaximum`;
 * - `anyOf`/`oneOf`: the first branch; `allOf`: the branches merged; `$ref` to `#/$defs/…` or
 *   `#/definitions/…` (or `#` itself) resolved against the root; no type: an empty object.
 *
 * `pattern` is not honoured. Recursion stops at depth 32 with `null`.
 */

type Schema = Record<string, unknown>;

const MAX_DEPTH = 32;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(root: Schema, ref: string): Schema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isSchema(node)) return undefined;
    node = node[segment];
  }
  return isSchema(node) ? node : undefined;
}

function typeOf(schema: Schema): string | undefined {
  const { type } = schema;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const types = type.filter((t): t is string => typeof t === 'string');
    return types.find((t) => t !== 'null') ?? types[0];
  }
  if (isSchema(schema['properties']) || Array.isArray(schema['required'])) return 'object';
  if (schema['items'] !== undefined || schema['prefixItems'] !== undefined) return 'array';
  return undefined;
}

function minimalString(schema: Schema): string {
  switch (schema['format']) {
    case 'date-time':
      return '2026-01-01T00:00:00Z';
    case 'date':
      return '2026-01-01';
    case 'time':
      return '00:00:00Z';
    case 'email':
      return 'mock@example.com';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    case 'uri':
    case 'url':
      return 'https://example.com/';
    default:
      break;
  }
  const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity;
  let text = 'mock';
  if (text.length < min) text = text.padEnd(min, 'x');
  if (text.length > max) text = text.slice(0, max);
  return text;
}

function minimalNumber(schema: Schema, integer: boolean): number {
  const num = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  const step = integer ? 1 : 0.5;
  let value = 0;
  const min = num('minimum');
  const exclusiveMin = num('exclusiveMinimum');
  const max = num('maximum');
  const exclusiveMax = num('exclusiveMaximum');
  if (min !== undefined && value < min) value = integer ? Math.ceil(min) : min;
  if (exclusiveMin !== undefined && value <= exclusiveMin) value = integer ? Math.floor(exclusiveMin) + 1 : exclusiveMin + step;
  if (max !== undefined && value > max) value = integer ? Math.floor(max) : max;
  if (exclusiveMax !== undefined && value >= exclusiveMax) value = integer ? Math.ceil(exclusiveMax) - 1 : exclusiveMax - step;
  return value;
}

function merged(root: Schema, branches: unknown[]): Schema {
  const out: Schema = {};
  const properties: Schema = {};
  const required: unknown[] = [];
  for (const branch of branches) {
    if (!isSchema(branch)) continue;
    const resolved = typeof branch['$ref'] === 'string' ? (resolveRef(root, branch['$ref']) ?? {}) : branch;
    Object.assign(out, resolved);
    if (isSchema(resolved['properties'])) Object.assign(properties, resolved['properties']);
    if (Array.isArray(resolved['required'])) required.push(...(resolved['required'] as unknown[]));
  }
  if (Object.keys(properties).length > 0) out['properties'] = properties;
  if (required.length > 0) out['required'] = required;
  return out;
}

function instance(root: Schema, schema: Schema, depth: number): unknown {
  if (depth > MAX_DEPTH) return null;
  if (typeof schema['$ref'] === 'string') {
    const target = resolveRef(root, schema['$ref']);
    return target === undefined ? {} : instance(root, target, depth + 1);
  }
  if ('const' in schema) return schema['const'];
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0 && isSchema(branches[0])) {
      const { [key]: _branches, ...rest } = schema;
      return instance(root, { ...rest, ...branches[0] }, depth + 1);
    }
  }
  if (Array.isArray(schema['allOf'])) {
    const { allOf, ...rest } = schema;
    return instance(root, merged(root, [rest, ...(allOf as unknown[])]), depth + 1);
  }
  switch (typeOf(schema)) {
    case 'null':
      return null;
    case 'boolean':
      return false;
    case 'integer':
      return minimalNumber(schema, true);
    case 'number':
      return minimalNumber(schema, false);
    case 'string':
      return minimalString(schema);
    case 'array': {
      const prefix = Array.isArray(schema['prefixItems']) ? (schema['prefixItems'] as unknown[]) : [];
      const items = isSchema(schema['items']) ? schema['items'] : {};
      const count = Math.max(prefix.length, typeof schema['minItems'] === 'number' ? schema['minItems'] : 0);
      return Array.from({ length: count }, (_, i) => instance(root, isSchema(prefix[i]) ? prefix[i] : items, depth + 1));
    }
    default: {
      const properties = isSchema(schema['properties']) ? schema['properties'] : {};
      const required = Array.isArray(schema['required']) ? schema['required'].filter((name): name is string => typeof name === 'string') : [];
      const out: Record<string, unknown> = {};
      for (const name of required) {
        const property = properties[name];
        out[name] = instance(root, isSchema(property) ? property : {}, depth + 1);
      }
      return out;
    }
  }
}

/** The minimal instance of `schema` (see the file comment). */
export function minimalJsonInstance(schema: Record<string, unknown>): unknown {
  return instance(schema, schema, 0);
}
