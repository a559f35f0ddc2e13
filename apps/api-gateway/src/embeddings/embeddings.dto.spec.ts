import { ZodPipe } from '@conduit/runtime';
import { createEmbeddingsBodySchema, EMBEDDINGS_MAX_INPUTS, inputsOf } from './embeddings.dto';

const pipe = new ZodPipe(createEmbeddingsBodySchema);

function refusal(body: unknown): { code: string; param: unknown } {
  try {
    pipe.transform(body);
  } catch (error) {
    const e = error as { code: string; details?: { param?: unknown } };
    return { code: e.code, param: e.details?.param };
  }
  throw new Error('accepted');
}

describe('POST /v1/embeddings body', () => {
  it('accepts each input form and defaults encoding_format to float', () => {
    expect(pipe.transform({ model: 'm', input: 'hello' }).encoding_format).toBe('float');
    expect(inputsOf(pipe.transform({ model: 'm', input: 'hello' }).input)).toEqual(['hello']);
    expect(inputsOf(pipe.transform({ model: 'm', input: ['a', 'b'] }).input)).toEqual(['a', 'b']);
    expect(inputsOf(pipe.transform({ model: 'm', input: [1, 2, 3] }).input)).toEqual([[1, 2, 3]]);
    expect(inputsOf(pipe.transform({ model: 'm', input: [[1], [2, 3]], encoding_format: 'base64', dimensions: 8, user: 'u' }).input)).toEqual([[1], [2, 3]]);
  });

  it('refuses empty input with empty_input', () => {
    expect(refusal({ model: 'm', input: '' })).toEqual({ code: 'empty_input', param: 'input' });
    expect(refusal({ model: 'm', input: [] })).toEqual({ code: 'empty_input', param: 'input' });
    expect(refusal({ model: 'm', input: ['a', ''] })).toEqual({ code: 'empty_input', param: 'input.1' });
    expect(refusal({ model: 'm', input: [[1], []] })).toEqual({ code: 'empty_input', param: 'input.1' });
  });

  it('refuses more than 2048 inputs with too_many_inputs', () => {
    expect(refusal({ model: 'm', input: Array.from({ length: EMBEDDINGS_MAX_INPUTS + 1 }, () => 'x') })).toEqual({ code: 'too_many_inputs', param: 'input' });
    expect(() => pipe.transform({ model: 'm', input: Array.from({ length: EMBEDDINGS_MAX_INPUTS }, () => 'x') })).not.toThrow();
  });

  it('refuses unknown fields with unsupported_parameter naming the field', () => {
    expect(refusal({ model: 'm', input: 'a', temperature: 1 })).toEqual({ code: 'unsupported_parameter', param: 'temperature' });
  });

  it('refuses mixed, negative or fractional token ids, bad formats and sizes with invalid_request', () => {
    expect(refusal({ model: 'm', input: ['a', [1]] }).code).toBe('invalid_request');
    expect(refusal({ model: 'm', input: [-1] }).code).toBe('invalid_request');
    expect(refusal({ model: 'm', input: [1.5] }).code).toBe('invalid_request');
    expect(refusal({ model: 'm', input: 'a', encoding_format: 'int8' })).toEqual({ code: 'invalid_request', param: 'encoding_format' });
    expect(refusal({ model: 'm', input: 'a', dimensions: 0 })).toEqual({ code: 'invalid_request', param: 'dimensions' });
    expect(refusal({ model: 'has space', input: 'a' })).toEqual({ code: 'invalid_model', param: 'model' });
  });
});
