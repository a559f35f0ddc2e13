import { AddressInfo } from 'node:net';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as sent (what the signature covers). */
  body: string;
  receivedAt: number;
  /** The status this receiver answered. */
  status: number;
}

/**
 * A loopback webhook receiver. Each path answers from its own script of statuses (the last one
 * repeats; default 200), so a test can make a receiver fail twice and then succeed.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        const script = this.scripts.get(path) ?? [];
        const status = script.length > 1 ? (script.shift() as number) : (script[0] ?? 200);
        this.received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now(), status });
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(status < 300 ? 'ok' : `scripted ${status}`);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Answers the given statuses in order on `path`, then keeps answering the last one. */
  script(path: string, statuses: number[]): string {
    this.scripts.set(path, [...statuses]);
    return `${this.url}${path}`;
  }

  on(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
