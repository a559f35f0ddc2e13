import { assertBlobKey, InvalidBlobKeyError, MAX_BLOB_KEY_LENGTH } from './blob-store';

describe('assertBlobKey', () => {
  it('accepts relative keys of safe segments', () => {
    for (const key of ['a', 'documents/3f2a/9b1c', 'x_y-z.pdf', 'a/b/c.d/e']) expect(() => assertBlobKey(key)).not.toThrow();
  });

  it.each([
    ['empty', ''],
    ['absolute', '/etc/passwd'],
    ['parent segment', '../secret'],
    ['parent segment inside', 'documents/../../etc'],
    ['current segment', 'a/./b'],
    ['empty segment', 'a//b'],
    ['trailing slash', 'a/b/'],
    ['hidden / temp-like segment', 'a/.tmp-123'],
    ['backslash', 'a\\..\\b'],
    ['NUL byte', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['space', 'a b'],
    ['percent-encoding', '%2e%2e/x'],
    ['non-ASCII', 'dokumént'],
  ])('refuses a %s key', (_what, key) => {
    expect(() => assertBlobKey(key)).toThrow(InvalidBlobKeyError);
  });

  it('refuses over-long keys', () => {
    expect(() => assertBlobKey('a'.repeat(MAX_BLOB_KEY_LENGTH))).not.toThrow();
    expect(() => assertBlobKey('a'.repeat(MAX_BLOB_KEY_LENGTH + 1))).toThrow(InvalidBlobKeyError);
  });
});
