import { checkErrorTable } from '@conduit/runtime';
import { GATEWAY_ERROR_CODES, GATEWAY_ERROR_STATUS } from './error-status';

describe('the gateway error table', () => {
  it('gives every code of every module an error status, and knows no other code', () => {
    expect(checkErrorTable(GATEWAY_ERROR_CODES, GATEWAY_ERROR_STATUS)).toEqual({ missing: [], unknown: [] });
  });
});
