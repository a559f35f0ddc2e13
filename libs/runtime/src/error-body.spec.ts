import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ConduitException } from './conduit.exception';
import { describeError } from './error-body';

describe('describeError', () => {
  it('keeps a module exception code, status, details and headers', () => {
    const error = new ConduitException('budget_exceeded', 402, 'over budget', { cap_usd: 5 }, { 'retry-after': '60' });
    expect(describeError(error)).toEqual({
      status: 402,
      code: 'budget_exceeded',
      message: 'over budget',
      details: { cap_usd: 5 },
      headers: { 'retry-after': '60' },
      internal: false,
    });
  });

  it('maps Nest HTTP exceptions to stable codes', () => {
    expect(describeError(new NotFoundException('no such session'))).toMatchObject({ status: 404, code: 'not_found', message: 'no such session' });
    expect(describeError(new BadRequestException(['a is bad', 'b is bad']))).toMatchObject({ status: 400, message: 'a is bad; b is bad' });
  });

  it("treats Fastify's body errors as the caller's fault", () => {
    const invalidJson = Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    expect(describeError(invalidJson)).toMatchObject({ status: 400, code: 'invalid_json', internal: false });
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(describeError(tooLarge)).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('hides internals of unexpected errors', () => {
    expect(describeError(new Error('connection string postgres://secret'))).toEqual({
      status: 500,
      code: 'internal_error',
      message: 'internal error',
      internal: true,
    });
  });
});
