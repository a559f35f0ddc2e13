import { once } from 'node:events';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { verifyWebhook, WebhookVerificationError } from '@conduit/webhooks';
import { calculate, RecordedEmail } from './tool-fixtures';

export interface McpToolServer {
  /** `http://127.0.0.1:<port>/mcp` */
  url: string;
  /** What `send_email` was asked to send. */
  readonly emails: RecordedEmail[];
  /** The secret signatures are verified with; null: unsigned requests are accepted. */
  secret: string | null;
  /** Requests refused for their signature (reason per request). */
  readonly rejected: string[];
  /** `tools/call` requests served, by tool name. */
  readonly calls: string[];
  close(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

function mcpServerWith(emails: RecordedEmail[], calls: string[]): McpServer {
  const server = new McpServer({ name: 'conduit-test-tools', version: '1.0.0' });
  server.registerTool(
    'calculator',
    {
      description: 'Adds, subtracts, multiplies or divides two numbers.',
      inputSchema: { op: z.enum(['add', 'sub', 'mul', 'div']), a: z.number(), b: z.number() },
      annotations: { readOnlyHint: true },
    },
    async ({ op, a, b }) => {
      calls.push('calculator');
      return { content: [{ type: 'text', text: JSON.stringify({ result: calculate(op, a, b) }) }] };
    },
  );
  server.registerTool(
    'send_email',
    {
      description: 'Sends an email (in tests: records it).',
      inputSchema: { to: z.string(), subject: z.string(), body: z.string() },
      annotations: { destructiveHint: true },
    },
    async ({ to, subject, body }) => {
      calls.push('send_email');
      emails.push({ to, subject, body, callId: null });
      return { content: [{ type: 'text', text: `sent to ${to}` }] };
    },
  );
  return server;
}

/**
 * A small MCP server for tests (Streamable HTTP, stateless: one `McpServer` per request), in-process
 * on an ephemeral loopback port, with the same two tools as the HTTP test server: `calculator`
 * (safe) and `send_email` (dangerous, records only). With a `secret` it refuses (401) any request
 * whose Standard Webhooks signature does not verify.
 */
export async function startMcpToolServer(secret: string | null = null): Promise<McpToolServer> {
  const emails: RecordedEmail[] = [];
  const calls: string[] = [];
  const rejected: string[] = [];
  const state = { secret };

  const http: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      if (state.secret !== null) {
        try {
          verifyWebhook(body, request.headers, state.secret);
        } catch (error) {
          const reason = error instanceof WebhookVerificationError ? error.reason : String(error);
          rejected.push(reason);
          response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `signature refused: ${reason}` }));
          return;
        }
      }
      if (request.method !== 'POST') {
        response.writeHead(405, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
        return;
      }
      const server = mcpServerWith(emails, calls);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      response.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request, response, body ? JSON.parse(body) : undefined);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    emails,
    calls,
    rejected,
    get secret() {
      return state.secret;
    },
    set secret(value: string | null) {
      state.secret = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
