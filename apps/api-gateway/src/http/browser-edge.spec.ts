import { z } from 'zod';
import { browserEdgeEnv, browserEdgeSettings } from './browser-edge.config';
import { allowedOriginValue, securityHeaders } from './browser-edge';

const parse = (env: Record<string, string>) => browserEdgeSettings(z.object(browserEdgeEnv).parse(env));

describe('browser edge settings', () => {
  it('allows no origin by default and sends no HSTS', () => {
    const settings = parse({});
    expect(settings.allowedOrigins).toEqual([]);
    expect(allowedOriginValue('https://app.example.test', settings.allowedOrigins)).toBeUndefined();
    expect(securityHeaders(settings)['strict-transport-security']).toBeUndefined();
  });

  it('reads a comma list of origins and matches them exactly', () => {
    const { allowedOrigins } = parse({ CORS_ALLOWED_ORIGINS: ' https://app.example.test, http://localhost:3000 ,' });
    expect(allowedOrigins).toEqual(['https://app.example.test', 'http://localhost:3000']);
    expect(allowedOriginValue('https://app.example.test', allowedOrigins)).toBe('https://app.example.test');
    expect(allowedOriginValue('https://app.example.test:8443', allowedOrigins)).toBeUndefined();
    expect(allowedOriginValue(undefined, allowedOrigins)).toBeUndefined();
  });

  it('answers * for any origin when * is listed alone (never with credentials)', () => {
    const { allowedOrigins } = parse({ CORS_ALLOWED_ORIGINS: '*' });
    expect(allowedOriginValue('https://anyone.example.test', allowedOrigins)).toBe('*');
  });

  it.each([
    ['a path', 'https://app.example.test/'],
    ['no scheme', 'app.example.test'],
    ['another scheme', 'ftp://app.example.test'],
    ['* among origins', '*,https://app.example.test'],
  ])('refuses %s with a message naming the variable', (_name, value) => {
    const result = z.object(browserEdgeEnv).safeParse({ CORS_ALLOWED_ORIGINS: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['CORS_ALLOWED_ORIGINS']);
  });
});
