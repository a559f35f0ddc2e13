import { Resolver, STRICT_TARGET_POLICY, WebhookTargetError, assertWebhookUrlAllowed, checkWebhookUrl, resolveWebhookHost } from './target-policy';

const dns = (table: Record<string, string[]>): Resolver => async (host) => {
  const addresses = table[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const resolver = dns({
  'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1'],
  'rebind.example.com': ['93.184.216.34', '10.0.0.7'],
  'internal.example.com': ['10.1.2.3'],
  'loop.example.com': ['127.0.0.1'],
  'meta.example.com': ['169.254.169.254'],
  'v6loop.example.com': ['::1'],
});

async function refusal(url: string, policy = STRICT_TARGET_POLICY): Promise<WebhookTargetError> {
  const error = await assertWebhookUrlAllowed(url, policy, resolver).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WebhookTargetError)) throw new Error(`expected ${url} to be refused, got ${String(error)}`);
  return error;
}

describe('webhook URL policy', () => {
  it('accepts https URLs whose host resolves only to public addresses', async () => {
    await expect(assertWebhookUrlAllowed('https://hooks.example.com/conduit?x=1', STRICT_TARGET_POLICY, resolver)).resolves.toBeInstanceOf(URL);
    await expect(assertWebhookUrlAllowed('https://93.184.216.34:8443/hook', STRICT_TARGET_POLICY, resolver)).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ['https://127.0.0.1/hook', /points at 127\.0\.0\.1, a loopback address/],
    ['https://10.0.0.1/hook', /10\.0\.0\.1, a private network address/],
    ['https://169.254.169.254/latest/meta-data', /a cloud metadata address/],
    ['https://[::1]/hook', /::1, a loopback address/],
    ['https://[::ffff:127.0.0.1]/hook', /IPv4-mapped/],
    ['https://[fd00::5]/hook', /unique local/],
    ['https://[fe80::1]/hook', /link-local/],
    ['https://100.64.1.1/hook', /carrier-grade NAT/],
    ['https://2130706433/hook', /127\.0\.0\.1, a loopback address/],
    ['https://0x7f.1/hook', /127\.0\.0\.1/],
    ['https://0.0.0.0/hook', /unspecified/],
  ])('refuses %s', async (url, message) => {
    const error = await refusal(url);
    expect(error.code).toBe('forbidden_address');
    expect(error.message).toMatch(message);
  });

  it.each([
    ['https://internal.example.com/hook', /internal\.example\.com resolves to 10\.1\.2\.3, a private network address/],
    ['https://loop.example.com/hook', /resolves to 127\.0\.0\.1, a loopback address/],
    ['https://meta.example.com/hook', /resolves to 169\.254\.169\.254, a cloud metadata address/],
    ['https://v6loop.example.com/hook', /resolves to ::1, a loopback address/],
    ['https://rebind.example.com/hook', /resolves to 10\.0\.0\.7/],
  ])('refuses %s, a name resolving to a forbidden address', async (url, message) => {
    const error = await refusal(url);
    expect(error.code).toBe('forbidden_address');
    expect(error.message).toMatch(message);
  });

  it('refuses localhost names and metadata host names without asking DNS', async () => {
    expect((await refusal('https://localhost/hook')).message).toMatch(/127\.0\.0\.1, a loopback address/);
    expect((await refusal('https://api.localhost/hook')).code).toBe('forbidden_address');
    expect((await refusal('https://metadata.google.internal/computeMetadata/v1')).code).toBe('forbidden_host');
  });

  it('requires https unless http is allowed, and refuses credentials and garbage', async () => {
    expect((await refusal('http://hooks.example.com/hook')).code).toBe('insecure_scheme');
    expect((await refusal('ftp://hooks.example.com/hook')).code).toBe('insecure_scheme');
    expect((await refusal('https://user:pass@hooks.example.com/hook')).code).toBe('credentials_in_url');
    expect((await refusal('not a url')).code).toBe('invalid_url');
    expect((await refusal(`https://hooks.example.com/${'a'.repeat(2_100)}`)).code).toBe('invalid_url');
    await expect(assertWebhookUrlAllowed('http://hooks.example.com/hook', { allowHttp: true, allowedCidrs: [] }, resolver)).resolves.toBeInstanceOf(URL);
  });

  it('reports hosts that do not resolve', async () => {
    const error = await refusal('https://nowhere.example.com/hook');
    expect(error.code).toBe('unresolvable_host');
    expect(error.transient).toBe(false);
  });

  it('lets development allow-listed ranges through, but never metadata addresses', async () => {
    const dev = { allowHttp: true, allowedCidrs: ['127.0.0.0/8', '169.254.0.0/16'] };
    await expect(assertWebhookUrlAllowed('http://127.0.0.1:9000/hook', dev, resolver)).resolves.toBeInstanceOf(URL);
    await expect(assertWebhookUrlAllowed('http://localhost:9000/hook', dev, resolver)).resolves.toBeInstanceOf(URL);
    expect((await refusal('http://169.254.169.254/', dev)).message).toMatch(/metadata/);
    expect((await refusal('http://10.0.0.1/', dev)).code).toBe('forbidden_address');
  });

  it('returns the checked addresses of a host', async () => {
    await expect(resolveWebhookHost('hooks.example.com', STRICT_TARGET_POLICY, resolver)).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
  });

  it('parses without DNS for the synchronous check', () => {
    expect(checkWebhookUrl('https://hooks.example.com/a', STRICT_TARGET_POLICY).hostname).toBe('hooks.example.com');
    expect(() => checkWebhookUrl('https://[::1]/a', STRICT_TARGET_POLICY)).toThrow(WebhookTargetError);
  });
});
