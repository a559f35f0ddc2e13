import { z } from 'zod';
import { ConduitException, ErrorStatusTable } from './conduit.exception';
import { describeError } from './error-body';
import { safeHeaderValue } from './http-edge';
import { RUNTIME_ERROR_STATUS } from './runtime.exception';
import { ZodPipe } from './zod.pipe';

function failure(pipe: ZodPipe<z.ZodType>, value: unknown, table: ErrorStatusTable = RUNTIME_ERROR_STATUS): { code: string; status: number; param: unknown } {
  try {
    pipe.transform(value);
  } catch (error) {
    if (error instanceof ConduitException) return { code: error.code, status: describeError(error, table).status, param: error.details?.param };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('ZodPipe', () => {
  const pipe = new ZodPipe(z.object({ title: z.string(), model: z.string().refine((v) => v !== 'bad', { params: { code: 'invalid_model' } }).optional() }));

  it('applies the input rules before the schema, to any field', () => {
    expect(failure(pipe, { title: 'a\u0000b' })).toEqual({ code: 'invalid_characters', status: 400, param: 'title' });
    expect(failure(pipe, { title: 'ok', extra: { deep: ['\ud800'] } })).toEqual({ code: 'invalid_characters', status: 400, param: 'extra.deep.0' });
  });

  it("uses a schema issue's own code, else its default", () => {
    expect(failure(pipe, { title: 'ok', model: 'bad' })).toEqual({ code: 'invalid_model', status: 400, param: 'model' });
    expect(failure(pipe, { title: 3 })).toEqual({ code: 'invalid_request', status: 400, param: 'title' });
    expect(pipe.transform({ title: 'ok' })).toEqual({ title: 'ok' });
  });

  it("takes a schema code's status from the app's table, and answers 400 for one the table lacks", () => {
    const range = new ZodPipe(z.object({ start: z.string().refine((v) => v !== 'bad', { params: { code: 'invalid_range' } }) }));
    expect(failure(range, { start: 'bad' })).toEqual({ code: 'invalid_range', status: 400, param: 'start' });
    expect(failure(range, { start: 'bad' }, { ...RUNTIME_ERROR_STATUS, invalid_range: 422 })).toEqual({ code: 'invalid_range', status: 422, param: 'start' });
  });
});

describe('safeHeaderValue', () => {
  it('keeps valid values and percent-encodes what a header cannot carry', () => {
    expect(safeHeaderValue('claude-sonnet-4-6')).toBe('claude-sonnet-4-6');
    expect(safeHeaderValue('a\u0000b')).toBe('a%EF%BF%BDb');
    expect(safeHeaderValue('😀')).toBe('%F0%9F%98%80');
    expect(safeHeaderValue('\ud800')).toBe('%EF%BF%BD');
  });
});
