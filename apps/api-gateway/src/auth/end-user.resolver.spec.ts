import { endUserNamedBy, keyMayActForUsers, validEndUserId } from './end-user.resolver';
import { EndUserException } from './end-user.exception';
import { hasScope, JWT_SCOPES } from './principal';

const request = (method: string, url: string, body: unknown, headers: Record<string, string | string[]> = {}) => ({ method, routeOptions: { url }, body, headers });

describe('which end user a request names', () => {
  it('reads the OpenAI user field of chat completions and of a chat job input', () => {
    expect(endUserNamedBy(request('POST', '/v1/chat/completions', { user: 'u1', messages: [] }))).toEqual({ value: 'u1', param: 'user', header: false });
    expect(endUserNamedBy(request('POST', '/v1/jobs', { type: 'chat.completion', input: { user: 'u2' } }))).toEqual({ value: 'u2', param: 'input.user', header: false });
  });

  it('lets the header win over the body', () => {
    expect(endUserNamedBy(request('POST', '/v1/chat/completions', { user: 'body' }, { 'x-conduit-end-user': 'header' }))).toMatchObject({ value: 'header', header: true });
  });

  it('ignores a user field on other routes, and a null or absent one', () => {
    expect(endUserNamedBy(request('POST', '/v1/sessions', { user: 'u1' }))).toBeUndefined();
    expect(endUserNamedBy(request('POST', '/v1/chat/completions', { user: null }))).toBeUndefined();
    expect(endUserNamedBy(request('POST', '/v1/jobs', { input: 'text' }))).toBeUndefined();
    expect(endUserNamedBy(request('GET', '/v1/sessions', undefined))).toBeUndefined();
  });

  it('treats a repeated header as invalid', () => {
    const named = endUserNamedBy(request('GET', '/v1/sessions', undefined, { 'x-conduit-end-user': ['a', 'b'] }));
    expect(() => validEndUserId(named?.value, named?.param ?? '')).toThrow(EndUserException);
  });
});

describe('end-user ids and the act_for_users scope', () => {
  it('accepts ids applications use', () => {
    for (const id of ['42', 'user_01HX', 'alice@example.com', 'auth0|5f7c8ec7c33c6c004bbafe82', 'ü'.repeat(256)]) expect(validEndUserId(id, 'p')).toBe(id);
  });

  it.each([[''], [' a'], ['a\n'], ['a\u0085b'], [42], [{}]])('refuses %j', (value) => {
    expect(() => validEndUserId(value, 'user')).toThrow(expect.objectContaining({ code: 'invalid_end_user', details: { param: 'user' } }));
  });

  it('lets only a key with the scope act for users (principals cached before scopes existed cannot)', () => {
    expect(keyMayActForUsers({ scopes: ['chat', 'act_for_users'] })).toBe(true);
    expect(keyMayActForUsers({ scopes: ['chat'] })).toBe(false);
    expect(keyMayActForUsers({})).toBe(false);
  });

  it('gives a JWT caller the API (chat, jobs, documents, usage) but never admin or naming end users', () => {
    const jwtCaller = { scopes: JWT_SCOPES };
    for (const scope of ['chat', 'jobs', 'documents', 'usage'] as const) expect(hasScope(jwtCaller, scope)).toBe(true);
    expect(hasScope(jwtCaller, 'admin')).toBe(false);
    expect(keyMayActForUsers(jwtCaller)).toBe(false);
  });
});
