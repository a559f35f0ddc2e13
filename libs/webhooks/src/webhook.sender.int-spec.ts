import { AddressInfo } from 'node:net';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { freePortOnLoopback } from './testing/free-port';
import { Resolver, STRICT_TARGET_POLICY, WebhookTargetPolicy, assertWebhookUrlAllowed } from './target-policy';
import { WebhookSender } from './webhook.sender';

interface Received {
  host: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

async function receiver(respond: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ host: req.headers.host, headers: req.headers, body });
      respond(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    port,
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const LOOPBACK_ALLOWED: WebhookTargetPolicy = { allowHttp: true, allowedCidrs: ['127.0.0.1/32'] };
const HTTP_STRICT: WebhookTargetPolicy = { ...STRICT_TARGET_POLICY, allowHttp: true };

describe('WebhookSender against local receivers', () => {
  const senders: WebhookSender[] = [];
  const make = (policy: WebhookTargetPolicy, resolver?: Resolver) => {
    const sender = new WebhookSender(policy, { resolver });
    senders.push(sender);
    return sender;
  };
  afterAll(async () => {
    await Promise.all(senders.map((s) => s.close()));
  });

  it('posts the exact body with the given headers and reports a 2xx as delivered', async () => {
    const hook = await receiver((_req, res) => res.writeHead(204).end());
    try {
      const result = await make(LOOPBACK_ALLOWED).send({ url: hook.url, body: '{"a":1}', headers: { 'webhook-id': 'msg-1' }, timeoutMs: 2_000 });
      expect(result).toMatchObject({ outcome: 'delivered', statusCode: 204, error: null });
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0].body).toBe('{"a":1}');
      expect(hook.received[0].headers['webhook-id']).toBe('msg-1');
      expect(hook.received[0].headers['content-type']).toBe('application/json');
    } finally {
      await hook.close();
    }
  });

  it('connects to the address it checked, keeping the name for Host (and TLS SNI)', async () => {
    const hook = await receiver((_req, res) => res.writeHead(200).end('ok'));
    try {
      const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
      const result = await make(LOOPBACK_ALLOWED, resolver).send({ url: `http://hooks.example.test:${hook.port}/hook`, body: '{}', headers: {}, timeoutMs: 2_000 });
      expect(result.outcome).toBe('delivered');
      expect(result.responseBody).toBe('ok');
      expect(hook.received[0].host).toBe(`hooks.example.test:${hook.port}`);
    } finally {
      await hook.close();
    }
  });

  it('refuses at delivery time a name that now resolves to a private address (DNS rebinding)', async () => {
    const hook = await receiver((_req, res) => res.writeHead(200).end());
    try {
      let answer = '93.184.216.34';
      const resolver: Resolver = async () => [{ address: answer, family: 4 }];
      const url = `http://rebind.example.test:${hook.port}/hook`;
      await expect(assertWebhookUrlAllowed(url, HTTP_STRICT, resolver)).resolves.toBeInstanceOf(URL);
      answer = '127.0.0.1';
      const result = await make(HTTP_STRICT, resolver).send({ url, body: '{}', headers: {}, timeoutMs: 2_000 });
      expect(result.outcome).toBe('forbidden');
      expect(result.error).toEqual({ code: 'forbidden_address', message: expect.stringMatching(/resolves to 127\.0\.0\.1, a loopback address/) });
      expect(hook.received).toHaveLength(0);
    } finally {
      await hook.close();
    }
  });

  it('refuses an IP literal outside the policy without connecting', async () => {
    const hook = await receiver((_req, res) => res.writeHead(200).end());
    try {
      const result = await make(HTTP_STRICT).send({ url: hook.url, body: '{}', headers: {}, timeoutMs: 2_000 });
      expect(result).toMatchObject({ outcome: 'forbidden', error: { code: 'forbidden_address' } });
      expect(hook.received).toHaveLength(0);
    } finally {
      await hook.close();
    }
  });

  it('reports 410 as gone and other statuses as failed with the start of the answer', async () => {
    let status = 410;
    const hook = await receiver((_req, res) => res.writeHead(status).end(`status ${status} ${'x'.repeat(5_000)}`));
    try {
      const sender = make(LOOPBACK_ALLOWED);
      expect(await sender.send({ url: hook.url, body: '{}', headers: {}, timeoutMs: 2_000 })).toMatchObject({ outcome: 'gone', statusCode: 410 });
      status = 500;
      const failed = await sender.send({ url: hook.url, body: '{}', headers: {}, timeoutMs: 2_000 });
      expect(failed).toMatchObject({ outcome: 'failed', statusCode: 500, error: { code: 'http_500' } });
      expect(failed.responseBody?.startsWith('status 500')).toBe(true);
      expect(failed.responseBody?.length).toBeLessThanOrEqual(1_024);
    } finally {
      await hook.close();
    }
  });

  it('does not follow redirects', async () => {
    const target = await receiver((_req, res) => res.writeHead(200).end());
    const hook = await receiver((_req, res) => res.writeHead(302, { location: target.url }).end());
    try {
      const result = await make(LOOPBACK_ALLOWED).send({ url: hook.url, body: '{}', headers: {}, timeoutMs: 2_000 });
      expect(result).toMatchObject({ outcome: 'failed', statusCode: 302 });
      expect(target.received).toHaveLength(0);
    } finally {
      await hook.close();
      await target.close();
    }
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const hook = await receiver(() => undefined);
    try {
      const started = Date.now();
      const result = await make(LOOPBACK_ALLOWED).send({ url: hook.url, body: '{}', headers: {}, timeoutMs: 300 });
      expect(result).toMatchObject({ outcome: 'failed', statusCode: null, error: { code: 'timeout' } });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await hook.close();
    }
  });

  it('reports a refused connection as a failed attempt', async () => {
    const port = await freePortOnLoopback();
    const result = await make(LOOPBACK_ALLOWED).send({ url: `http://127.0.0.1:${port}/hook`, body: '{}', headers: {}, timeoutMs: 1_000 });
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'connection_failed' } });
  });
});
