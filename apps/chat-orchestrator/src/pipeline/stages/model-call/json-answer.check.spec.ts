import { RuntimeException } from '@conduit/runtime';
import { jsonAnswerCheckOf } from './json-answer.check';

const citySchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { city: { type: 'string' }, population: { type: 'integer' } },
  required: ['city', 'population'],
  additionalProperties: false,
};

describe('jsonAnswerCheckOf', () => {
  it('checks nothing for text or no response_format', () => {
    expect(jsonAnswerCheckOf(undefined)).toBeUndefined();
    expect(jsonAnswerCheckOf({ type: 'text' })).toBeUndefined();
  });

  it('json_object: the answer must parse as a JSON object', () => {
    const check = jsonAnswerCheckOf({ type: 'json_object' });
    expect(check?.('{"a":1}')).toBeUndefined();
    expect(check?.('Sure! {"a":1}')).toBe('the answer is not JSON');
    expect(check?.('[1,2]')).toBe('the answer is not a JSON object');
    expect(check?.('"text"')).toBe('the answer is not a JSON object');
    expect(check?.('null')).toBe('the answer is not a JSON object');
  });

  it('json_schema: the answer must follow the schema, and the problem names where it does not', () => {
    const check = jsonAnswerCheckOf({ type: 'json_schema', json_schema: { name: 'city', schema: citySchema, strict: true } });
    expect(check?.('{"city":"Paris","population":2100000}')).toBeUndefined();
    expect(check?.('{"city":"Paris"}')).toMatch(/does not match the schema: \(root\) must have required property 'population'/);
    expect(check?.('{"city":"Paris","population":"many"}')).toMatch(/\/population must be integer/);
    expect(check?.('{"city":"Paris"')).toBe('the answer is not JSON');
  });

  it('accepts a 2020-12 $schema (ignored), and a json_schema without a schema means any object', () => {
    const check = jsonAnswerCheckOf({ type: 'json_schema', json_schema: { name: 'x', schema: { ...citySchema, $schema: 'https://json-schema.org/draft/2020-12/schema' } } });
    expect(check?.('{"city":"Oslo","population":1}')).toBeUndefined();
    const any = jsonAnswerCheckOf({ type: 'json_schema', json_schema: { name: 'x' } });
    expect(any?.('{}')).toBeUndefined();
    expect(any?.('1')).toBe('the answer is not a JSON object');
  });

  it('refuses a schema Ajv cannot compile with 400 invalid_request naming the field', () => {
    let caught: unknown;
    try {
      jsonAnswerCheckOf({ type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { a: { type: 'no-such-type' } } } } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RuntimeException);
    expect(caught).toMatchObject({ code: 'invalid_request', details: { param: 'response_format.json_schema.schema' } });
  });
});
