import Ajv from 'ajv';
import { minimalJsonInstance } from './json-instance';

const ajv = new Ajv({ strict: false, logger: false });

function expectValid(schema: Record<string, unknown>): unknown {
  const value = minimalJsonInstance(schema);
  const validate = ajv.compile(schema);
  const valid = validate(value);
  expect({ valid, errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
  return value;
}

describe('minimalJsonInstance', () => {
  it('fills every required property with a value of its type and leaves optional ones out', () => {
    const value = expectValid({
      type: 'object',
      properties: {
        city: { type: 'string' },
        population: { type: 'integer', minimum: 1 },
        area: { type: 'number', exclusiveMinimum: 0 },
        capital: { type: 'boolean' },
        note: { type: ['string', 'null'] },
        nickname: { type: 'string' },
      },
      required: ['city', 'population', 'area', 'capital', 'note'],
      additionalProperties: false,
    });
    expect(value).toEqual({ city: 'mock', population: 1, area: 0.5, capital: false, note: 'mock' });
  });

  it('takes the first enum value and a const, and honours string lengths and formats', () => {
    expect(expectValid({ type: 'string', enum: ['red', 'green'] })).toBe('red');
    expect(expectValid({ const: 42 })).toBe(42);
    expect(expectValid({ type: 'string', minLength: 6 })).toBe('mockxx');
    expect(expectValid({ type: 'string', maxLength: 2 })).toBe('mo');
    expect(minimalJsonInstance({ type: 'string', format: 'date-time' })).toBe('2026-01-01T00:00:00Z');
    expect(expectValid({ type: 'integer', maximum: -3 })).toBe(-3);
    expect(expectValid({ type: 'integer', exclusiveMaximum: 0 })).toBe(-1);
  });

  it('builds minItems items of arrays and nested objects, and resolves $ref and definitions', () => {
    const value = expectValid({
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' } },
        points: { type: 'array', minItems: 2, items: { $ref: '#/definitions/point' } },
        owner: { type: 'object', properties: { name: { type: 'string' }, role: { enum: ['admin', 'user'] } }, required: ['name', 'role'] },
      },
      required: ['tags', 'points', 'owner'],
      definitions: { point: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } }, required: ['x', 'y'] } },
    });
    expect(value).toEqual({ tags: [], points: [{ x: 0, y: 0 }, { x: 0, y: 0 }], owner: { name: 'mock', role: 'admin' } });
  });

  it('takes the first branch of anyOf / oneOf and merges allOf', () => {
    expect(expectValid({ anyOf: [{ type: 'integer' }, { type: 'string' }] })).toBe(0);
    expect(expectValid({ oneOf: [{ type: 'null' }, { type: 'string' }] })).toBeNull();
    expect(
      expectValid({
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'boolean' } }, required: ['b'] },
        ],
      }),
    ).toEqual({ a: 'mock', b: false });
  });

  it('is deterministic, and a recursive schema ends', () => {
    const tree = { type: 'object', properties: { children: { type: 'array', minItems: 1, items: { $ref: '#' } } }, required: ['children'] };
    expect(JSON.stringify(minimalJsonInstance(tree))).toBe(JSON.stringify(minimalJsonInstance(tree)));
    expect(JSON.stringify(minimalJsonInstance(tree))).toContain('null');
  });
});
