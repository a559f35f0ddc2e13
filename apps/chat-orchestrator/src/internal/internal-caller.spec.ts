import type { FastifyRequest } from 'fastify';
import { ConduitHeader } from '@conduit/contracts';
import { assertInternalCaller } from './internal-caller';
import { InternalException } from './internal.exception';

const TOKEN = 'a-sixteen-char-token';
const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;
const refusal = (presented: Record<string, string>, expected: string | undefined) => {
  try {
    assertInternalCaller(request(presented), expected);
    return null;
  } catch (error) {
    return error;
  }
};

describe('assertInternalCaller', () => {
  it('lets the right token through', () => {
    expect(refusal({ [ConduitHeader.InternalToken]: TOKEN }, TOKEN)).toBeNull();
  });

  it.each([
    ['no token', {}],
    ['a wrong token of the same length', { [ConduitHeader.InternalToken]: TOKEN.replace('a', 'b') }],
    ['a prefix of the token', { [ConduitHeader.InternalToken]: TOKEN.slice(0, 8) }],
  ])('refuses %s', (_case, headers) => {
    expect(refusal(headers, TOKEN)).toBeInstanceOf(InternalException);
  });

  it('refuses every call when the service has no INTERNAL_TOKEN, whatever the caller sends', () => {
    const error = refusal({ [ConduitHeader.InternalToken]: '', [ConduitHeader.TenantId]: 'anyone' }, undefined);
    expect(error).toBeInstanceOf(InternalException);
    expect((error as Error).message).toContain('no INTERNAL_TOKEN');
  });
});
