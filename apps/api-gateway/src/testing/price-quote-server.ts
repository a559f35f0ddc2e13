import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConduitHeader, PriceQuote, priceQuoteSchema } from '@conduit/contracts';

export interface PriceQuoteServer {
  url: string;
  /** Quote requests received (model names), in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * The orchestrator's price-quote endpoint (`GET /internal/pricing/quote?model=`) as the gateway
 * sees it over a real socket, for gateway tests that run without an orchestrator: it answers the
 * given quotes (validated by the shared contract), 404 for any other model, and 401 without the
 * internal token — what the orchestrator answers.
 */
export async function startPriceQuoteServer(quotes: Record<string, Omit<PriceQuote, 'model'>>, internalToken: string): Promise<PriceQuoteServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.headers[ConduitHeader.InternalToken] !== internalToken) return send(401, { error: { code: 'unauthorized' } });
    if (url.pathname !== '/internal/pricing/quote') return send(404, { error: { code: 'not_found' } });
    const model = url.searchParams.get('model') ?? '';
    requests.push(model);
    const quote = quotes[model];
    if (!quote) return send(404, { error: { code: 'model_not_found' } });
    return send(200, priceQuoteSchema.parse({ model, ...quote }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
