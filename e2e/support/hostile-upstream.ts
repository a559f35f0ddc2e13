import { AddressInfo } from 'node:net';
import { createServer, Server } from 'node:http';

/**
 * A loopback OpenAI-wire upstream that answers every chat completion with text and a model name
 * that a client could never send Conduit (NUL, unpaired surrogates, emoji), plain or streamed: a
 * provider's output is not validated by the edge, and must still be stored and answered.
 */
export class HostileUpstream {
  calls = 0;
  private server: Server | undefined;
  url = '';

  constructor(
    readonly content = 'bad\u0000reply\ud800 end',
    readonly model = 'gpt\u0000mini😀\u200f',
  ) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.calls += 1;
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { stream?: boolean };
        const id = `chatcmpl-hostile-${this.calls}`;
        const created = Math.floor(Date.now() / 1000);
        const usage = { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 };
        if (!body.stream) {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              id,
              object: 'chat.completion',
              created,
              model: this.model,
              choices: [{ index: 0, message: { role: 'assistant', content: this.content }, finish_reason: 'stop' }],
              usage,
            }),
          );
          return;
        }
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta: object, finish: string | null, extra: object = {}) =>
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: this.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
        response.write(chunk({ role: 'assistant', content: this.content }, null));
        response.write(chunk({}, 'stop', { usage }));
        response.end('data: [DONE]\n\n');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
