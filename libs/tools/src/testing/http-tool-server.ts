import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, WebhookVerificationError } from '@conduit/webhooks';
import { calculate, CalculatorOp, RecordedEmail } from './tool-fixtures';

/** One request the server received, signed or not. */
export interface ReceivedToolCall {
  tool: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Why the signature check refused it; null when it was accepted. */
  rejected: string | null;
}

export interface HttpToolServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The URL of one of its tools: `calculator`, `send_email`, `slow` (answers after `ms`, default never), `large` (`size` bytes of text). */
  urlOf(tool: 'calculator' | 'send_email' | 'slow' | 'large'): string;
  /** Every request, in order (rejected ones too). */
  readonly received: ReceivedToolCall[];
  /** What `send_email` was asked to send. */
  readonly emails: RecordedEmail[];
  /** The secret signatures are verified with (a registered tool's, shown once at registration). */
  secret: string;
  /** Requests of `slow` still open (closed by the caller's abort). */
  openSlowRequests(): number;
  close(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/**
 * An HTTP tool server for tests, in-process on an ephemeral loopback port. Every tool path verifies
 * the Standard Webhooks signature with {@link HttpToolServer.secret} and answers 401 to unsigned or
 * wrongly signed calls. `calculator` is the safe tool, `send_email` the dangerous one (it records,
 * sends nothing). Register them with `WEBHOOK_ALLOW_HTTP=true` and `WEBHOOK_ALLOWED_CIDRS=127.0.0.1/32`.
 */
export async function startHttpToolServer(secret: string): Promise<HttpToolServer> {
  const received: ReceivedToolCall[] = [];
  const emails: RecordedEmail[] = [];
  let openSlow = 0;
  const state = { secret };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const tool = (request.url ?? '').replace(/^\/tools\//, '').split('?')[0];
      const body = await readBody(request);
      let rejected: string | null = null;
      try {
        verifyWebhook(body, request.headers, state.secret);
      } catch (error) {
        rejected = error instanceof WebhookVerificationError ? error.reason : String(error);
      }
      received.push({ tool, headers: request.headers, body, rejected });
      if (rejected) return json(response, 401, { error: `signature refused: ${rejected}` });
      const call = JSON.parse(body) as { tool: string; call_id: string | null; arguments: Record<string, unknown> };
      const args = call.arguments;
      switch (tool) {
        case 'calculator':
          return json(response, 200, { result: calculate(args['op'] as CalculatorOp, Number(args['a']), Number(args['b'])) });
        case 'send_email':
          emails.push({ to: String(args['to']), subject: String(args['subject']), body: String(args['body']), callId: call.call_id });
          return json(response, 200, { status: 'sent', message_id: `msg_${emails.length}` });
        case 'large':
          return response.writeHead(200, { 'content-type': 'text/plain' }).end('é'.repeat(Math.ceil(Number(args['size'] ?? 100_000) / 2)));
        case 'slow': {
          openSlow += 1;
          const timer = args['ms'] === undefined ? undefined : setTimeout(() => json(response, 200, { done: true }), Number(args['ms']));
          response.once('close', () => {
            openSlow -= 1;
            clearTimeout(timer);
          });
          return undefined;
        }
        default:
          return json(response, 404, { error: `no tool ${tool}` });
      }
    })().catch((error: unknown) => json(response, 500, { error: String(error) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    urlOf: (tool) => `${origin}/tools/${tool}`,
    received,
    emails,
    get secret() {
      return state.secret;
    },
    set secret(value: string) {
      state.secret = value;
    },
    openSlowRequests: () => openSlow,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
