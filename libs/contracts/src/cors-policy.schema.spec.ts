import { resolveTenantPolicy } from './tenant-policy.schema';

describe('tenant policy: cors', () => {
  it('takes a list of exact origins', () => {
    const policy = resolveTenantPolicy({ cors: { allowed_origins: ['https://app.example.com', 'http://localhost:3000', 'http://[::1]:8080'] } }, 1);
    expect(policy.document.cors?.allowed_origins).toHaveLength(3);
  });

  it.each([['*'], ['https://*.example.com'], ['https://app.example.com/'], ['https://app.example.com/path'], ['app.example.com'], ['null'], ['ftp://app.example.com']])(
    'refuses %s: only exact origins, never a wildcard',
    (origin) => {
      expect(() => resolveTenantPolicy({ cors: { allowed_origins: [origin] } }, 1)).toThrow(/exact origin/);
    },
  );

  it('refuses unknown fields (there is no credentials switch: credentials are never allowed)', () => {
    expect(() => resolveTenantPolicy({ cors: { allowed_origins: [], allow_credentials: true } }, 1)).toThrow();
  });
});
