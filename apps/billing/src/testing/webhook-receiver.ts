import { AddressInfo } from 'node:net';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';

export interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A loopback receiver answering each path from a script of statuses (`0` = never answer). */
export class TestReceiver {
  readonly hits: Hit[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.hits.push({ path, headers: req.headers, body, at: Date.now() });
        const script = this.scripts.get(path) ?? [];
        const status = script.length > 1 ? (script.shift() as number) : (script[0] ?? 200);
        if (status === 0) return;
        res.writeHead(status).end(`status ${status}`);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  script(path: string, statuses: number[]): string {
    this.scripts.set(path, statuses);
    return `${this.url}${path}`;
  }

  on(path: string): Hit[] {
    return this.hits.filter((hit) => hit.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
