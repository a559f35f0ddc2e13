import { Agent, request } from 'undici';
import { guardedLookup } from './guarded-lookup';
import { Resolver, WebhookTargetError, WebhookTargetPolicy, checkWebhookUrl, systemResolver } from './target-policy';

export interface WebhookSendRequest {
  url: string;
  /** The exact body that was signed. */
  body: string;
  /** Signature headers (and anything else) to send. */
  headers: Record<string, string>;
  /** The whole attempt: DNS, connect, TLS, headers and body. */
  timeoutMs: number;
}

export type WebhookSendOutcome =
  /** 2xx */
  | 'delivered'
  /** 410 Gone: the receiver asks us to stop; the endpoint is disabled. */
  | 'gone'
  /** Anything else the receiver or the network did; worth another attempt later. */
  | 'failed'
  /** The URL is not allowed (now): never retried. */
  | 'forbidden';

export interface WebhookSendResult {
  outcome: WebhookSendOutcome;
  statusCode: number | null;
  durationMs: number;
  /** Why an attempt failed: `http_<status>`, `timeout`, `connection_failed`, or a {@link WebhookTargetError} code. */
  error: { code: string; message: string } | null;
  /** The start of the receiver's answer, for the delivery log. */
  responseBody: string | null;
}

export interface WebhookSenderOptions {
  resolver?: Resolver;
  /** Connections kept per receiver origin. */
  connectionsPerOrigin?: number;
  userAgent?: string;
}

const RESPONSE_SNIPPET_BYTES = 1_024;

function findTargetError(error: unknown): WebhookTargetError | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof WebhookTargetError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  return name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/**
 * Sends webhook requests safely: the URL is checked before every attempt, the host is resolved at
 * connect time and every address it resolves to is checked (so a name that turns into 10.0.0.1
 * after submission — DNS rebinding — is refused), and the socket connects to exactly the address
 * that was checked. Redirects are not followed. Never throws: every outcome is a result.
 */
export class WebhookSender {
  private readonly agent: Agent;
  private readonly resolver: Resolver;
  private readonly userAgent: string;

  constructor(
    private readonly policy: WebhookTargetPolicy,
    options: WebhookSenderOptions = {},
  ) {
    this.resolver = options.resolver ?? systemResolver;
    this.userAgent = options.userAgent ?? 'Conduit-Webhooks/1.0';
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? 32,
      keepAliveTimeout: 10_000,
      connect: { lookup: guardedLookup(this.policy, this.resolver) },
    });
  }

  async send(input: WebhookSendRequest): Promise<WebhookSendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      checkWebhookUrl(input.url, this.policy);
    } catch (error) {
      const target = findTargetError(error);
      return { outcome: 'forbidden', statusCode: null, durationMs: 0, error: { code: target?.code ?? 'invalid_url', message: (error as Error).message }, responseBody: null };
    }
    try {
      const response = await request(input.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', 'user-agent': this.userAgent, ...input.headers },
        body: input.body,
        signal: AbortSignal.timeout(input.timeoutMs),
        headersTimeout: input.timeoutMs,
        bodyTimeout: input.timeoutMs,
      });
      const responseBody = await this.snippet(response.body);
      const statusCode = response.statusCode;
      if (statusCode >= 200 && statusCode < 300) return { outcome: 'delivered', statusCode, durationMs: elapsed(), error: null, responseBody };
      const outcome = statusCode === 410 ? 'gone' : 'failed';
      return { outcome, statusCode, durationMs: elapsed(), error: { code: `http_${statusCode}`, message: `receiver answered ${statusCode}` }, responseBody };
    } catch (error) {
      const target = findTargetError(error);
      if (target) {
        const outcome = target.transient ? 'failed' : 'forbidden';
        return { outcome, statusCode: null, durationMs: elapsed(), error: { code: target.code, message: target.message }, responseBody: null };
      }
      if (isTimeout(error)) {
        return { outcome: 'failed', statusCode: null, durationMs: elapsed(), error: { code: 'timeout', message: `no answer within ${input.timeoutMs} ms` }, responseBody: null };
      }
      const code = (error as { code?: string }).code;
      return {
        outcome: 'failed',
        statusCode: null,
        durationMs: elapsed(),
        error: { code: 'connection_failed', message: `could not reach the receiver${code ? ` (${code})` : ''}` },
        responseBody: null,
      };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async snippet(body: AsyncIterable<Buffer> & { dump?: (options?: { limit: number }) => Promise<void> }): Promise<string | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= RESPONSE_SNIPPET_BYTES) break;
    }
    await body.dump?.({ limit: 0 }).catch(() => undefined);
    if (size === 0) return null;
    return Buffer.concat(chunks).subarray(0, RESPONSE_SNIPPET_BYTES).toString('utf8');
  }
}
