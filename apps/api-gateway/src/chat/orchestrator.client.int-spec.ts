import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConduitHeader } from '@conduit/contracts';
import type { Principal } from '../auth/principal';
import { OrchestratorClient, OrchestratorNotReachedError } from './orchestrator.client';

const principal: Principal = { tenantId: randomUUID(), userId: randomUUID(), apiKeyId: randomUUID(), tier: 'pro', tenantTier: 'pro' };

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

const client = (url: string) => new OrchestratorClient({ orchestratorUrl: url, connections: 1, maxTokensLimit: 4_096 });
const forward = (orchestrator: OrchestratorClient, signal = new AbortController().signal) =>
  orchestrator.chat('{"model":"default","messages":[]}', { principal, requestId: 'r', reservationId: randomUUID(), signal });

/**
 * Whether a chat request reached the orchestrator decides who gives its budget reservation back:
 * only a request that was never sent is the gateway's to release. Real sockets.
 */
describe('OrchestratorClient: was the request delivered?', () => {
  it('says "not reached" when the connection is refused', async () => {
    const { server, url } = await listen(() => undefined);
    await stop(server); // nothing listens on the port any more
    const orchestrator = client(url);
    const error = await forward(orchestrator).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrchestratorNotReachedError);
    expect(((error as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
    await orchestrator.onApplicationShutdown();
  });

  it('says "not reached" when the caller gave up while the request was still queued', async () => {
    let held: ServerResponse | undefined;
    let arrived: () => void = () => undefined;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    const { server, url } = await listen((request, response) => {
      request.resume();
      held = response; // keeps the pool's only connection busy
      arrived();
    });
    const orchestrator = client(url);
    const first = forward(orchestrator);
    await firstArrived;
    const abort = new AbortController();
    const second = forward(orchestrator, abort.signal).catch((e: unknown) => e);
    abort.abort();
    // undici fails an aborted queued request when a connection would take it: free the connection.
    held?.end();
    await first.then((response) => response.body.dump());
    const error = await second;
    expect(error).toBeInstanceOf(OrchestratorNotReachedError);
    expect(((error as Error).cause as Error).name).toBe('AbortError');
    await orchestrator.onApplicationShutdown();
    await stop(server);
  });

  it('passes the failure through once the request was sent, even with no answer', async () => {
    const { server, url } = await listen((request) => {
      request.on('end', () => request.socket.destroy()).resume();
    });
    const orchestrator = client(url);
    const error = await forward(orchestrator).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(OrchestratorNotReachedError);
    await orchestrator.onApplicationShutdown();
    await stop(server);
  });

  it('answers with the orchestrator’s response, headers included', async () => {
    const seen: IncomingMessage['headers'][] = [];
    const { server, url } = await listen((request, response) => {
      seen.push(request.headers);
      request.on('end', () => response.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{}}')).resume();
    });
    const orchestrator = new OrchestratorClient({ orchestratorUrl: url, connections: 1, maxTokensLimit: 4_096, internalToken: 'sixteen-chars-token' });
    const response = await forward(orchestrator);
    expect(response.statusCode).toBe(502);
    expect(await response.body.json()).toEqual({ error: {} });
    expect(seen[0]).toMatchObject({
      [ConduitHeader.TenantId]: principal.tenantId,
      [ConduitHeader.UserId]: principal.userId,
      [ConduitHeader.UserTier]: principal.tier,
      [ConduitHeader.InternalToken]: 'sixteen-chars-token',
      [ConduitHeader.ReservationId]: expect.any(String),
    });
    await orchestrator.onApplicationShutdown();
    await stop(server);
  });
});
