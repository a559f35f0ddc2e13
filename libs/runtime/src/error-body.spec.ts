import { BadRequestException, NotFoundException } from '@nestjs/common';
import { checkErrorTable, ConduitException, ErrorStatusTable } from './conduit.exception';
import { describeError } from './error-body';
import { RUNTIME_ERROR_STATUS, RuntimeErrorCode, RuntimeException } from './runtime.exception';

enum TestErrorCode {
  BudgetExceeded = 'budget_exceeded',
  Unmapped = 'unmapped',
}
class TestException extends ConduitException<TestErrorCode> {}
const table: ErrorStatusTable = { ...RUNTIME_ERROR_STATUS, [TestErrorCode.BudgetExceeded]: 402 };

describe('describeError', () => {
  it("takes a module exception's status from the app's table, and keeps its code, details and headers", () => {
    const error = new TestException(TestErrorCode.BudgetExceeded, 'over budget', { cap_usd: 5 }, { 'retry-after': '60' });
    expect(describeError(error, table)).toEqual({
      status: 402,
      code: 'budget_exceeded',
      message: 'over budget',
      details: { cap_usd: 5 },
      headers: { 'retry-after': '60' },
      internal: false,
    });
    expect(describeError(new RuntimeException(RuntimeErrorCode.InvalidJson, 'not JSON'), table)).toMatchObject({ status: 400, code: 'invalid_json' });
  });

  it('answers a code missing from the table as an internal error', () => {
    expect(describeError(new TestException(TestErrorCode.Unmapped, 'oops'), table)).toEqual({
      status: 500,
      code: 'internal_error',
      message: 'internal error',
      internal: true,
    });
  });

  it('maps Nest HTTP exceptions to stable codes', () => {
    expect(describeError(new NotFoundException('no such session'), table)).toMatchObject({ status: 404, code: 'not_found', message: 'no such session' });
    expect(describeError(new BadRequestException(['a is bad', 'b is bad']), table)).toMatchObject({ status: 400, message: 'a is bad; b is bad' });
  });

  it("treats Fastify's body errors as the caller's fault", () => {
    const invalidJson = Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    expect(describeError(invalidJson, table)).toMatchObject({ status: 400, code: 'invalid_json', internal: false });
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(describeError(tooLarge, table)).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('hides internals of unexpected errors', () => {
    expect(describeError(new Error('connection string postgres://secret'), table)).toEqual({
      status: 500,
      code: 'internal_error',
      message: 'internal error',
      internal: true,
    });
  });
});

describe('checkErrorTable', () => {
  it('names codes without an error status and entries no enum has', () => {
    enum Other {
      Gone = 'gone',
    }
    expect(checkErrorTable([RuntimeErrorCode, Other], { ...RUNTIME_ERROR_STATUS, gone: 410 })).toEqual({ missing: [], unknown: [] });
    expect(checkErrorTable([RuntimeErrorCode, Other, TestErrorCode], table)).toEqual({ missing: ['gone', 'unmapped'], unknown: [] });
    expect(checkErrorTable([RuntimeErrorCode], { ...RUNTIME_ERROR_STATUS, gone: 200 })).toEqual({ missing: [], unknown: ['gone'] });
    expect(checkErrorTable([Other], { gone: 200 })).toEqual({ missing: ['gone'], unknown: [] });
  });
});
