import { checkErrorTable } from '@conduit/runtime';
import { ORCHESTRATOR_ERROR_CODES, ORCHESTRATOR_ERROR_STATUS } from './error-status';

describe('the orchestrator error table', () => {
  it('gives every code of every module an error status, and knows no other code', () => {
    expect(checkErrorTable(ORCHESTRATOR_ERROR_CODES, ORCHESTRATOR_ERROR_STATUS)).toEqual({ missing: [], unknown: [] });
  });
});
