import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@conduit/testing';
import { pooledFetch } from './pooled-fetch';

function bodyOf(response: Response): ReadableStream<Uint8Array> {
  if (!response.body) throw new Error('expected a response body');
  return response.body;
}

/** The fetch contract the SDKs rely on, over real sockets. */
describe('pooledFetch', () => {
  let server: Server;
  let base: string;
  const closed: string[] = [];
  let hold: ServerResponse | undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.on('close', () => closed.push(request.url ?? ''));
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url === '/echo') {
          response.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
          response.end(JSON.stringify({ method: request.method, body, auth: request.headers.authorization }));
        } else if (request.url === '/cut') {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: one\n\n');
          setTimeout(() => response.socket?.destroy(), 20);
        } else if (request.url === '/hold') {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: first\n\n');
          hold = response;
        } else {
          response.writeHead(204).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    hold?.end();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and body, and returns status, headers and a readable body', async () => {
    const fetch = pooledFetch();
    const headers = new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' });
    const response = await fetch(`${base}/echo`, { method: 'POST', headers, body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(await response.json()).toEqual({ method: 'POST', body: '{"a":1}', auth: 'Bearer k' });
  });

  it('answers a 204 with no body', async () => {
    const response = await pooledFetch()(`${base}/empty`, { method: 'GET' });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('rejects like fetch when the connection is refused: a TypeError with the cause', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const failure = await pooledFetch()(`http://127.0.0.1:${port}/x`, { method: 'GET' }).catch((error: unknown) => error);
    expect((failure as Error).name).toBe('TypeError');
    expect((failure as Error).cause).toBeDefined();
  });

  it('errors the body stream with TypeError("terminated") when the upstream cuts it', async () => {
    const response = await pooledFetch()(`${base}/cut`, { method: 'GET' });
    const reader = bodyOf(response).getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value ?? new Uint8Array()).toString()).toContain('one');
    const failure = await (async () => {
      for (;;) {
        const next = await reader.read();
        if (next.done) return undefined;
      }
    })().catch((error: unknown) => error);
    expect((failure as Error).name).toBe('TypeError');
    expect((failure as Error).message).toBe('terminated');
  });

  it('aborting the signal mid-body closes the upstream connection at once', async () => {
    const controller = new AbortController();
    const response = await pooledFetch()(`${base}/hold`, { method: 'GET', signal: controller.signal });
    const reader = bodyOf(response).getReader();
    await reader.read();
    const pending = reader.read().catch((error: unknown) => error);
    const abortedAt = Date.now();
    controller.abort();
    const failure = await pending;
    expect((failure as Error).name).toBe('AbortError');
    await waitFor(() => closed.includes('/hold'), { what: 'the server to see the connection close', timeoutMs: 5_000, intervalMs: 5 });
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
  });

  it('rejects with an AbortError when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const failure = await pooledFetch()(`${base}/echo`, { method: 'GET', signal: controller.signal }).catch((error: unknown) => error);
    expect((failure as Error).name).toBe('AbortError');
  });
});
