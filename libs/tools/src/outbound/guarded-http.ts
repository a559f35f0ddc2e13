import { Agent, fetch as undiciFetch, request } from 'undici';
import { guardedLookup, Resolver, systemResolver, WebhookTargetPolicy } from '@conduit/webhooks';

export interface GuardedResponse {
  statusCode: number;
  /** At most `maxBytes` of the body, cut at a UTF-8 character boundary. */
  text: string;
  truncated: boolean;
}

/** The decoded start of a byte stream, at most `maxBytes` (the rest is not read). */
export async function readCapped(body: AsyncIterable<Uint8Array> & { destroy?: () => void }, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size > maxBytes) {
      truncated = true;
      break;
    }
  }
  if (truncated) body.destroy?.();
  const bytes = Buffer.concat(chunks);
  return truncated ? { text: capText(bytes, maxBytes), truncated } : { text: bytes.toString('utf8'), truncated };
}

/** The first `maxBytes` bytes of `bytes` as text, without a broken trailing character. */
export function capText(bytes: Buffer, maxBytes: number): string {
  return new TextDecoder('utf-8').decode(bytes.subarray(0, maxBytes), { stream: true });
}

/**
 * The one HTTP client of outbound tool calls (HTTP tools and MCP servers): the socket connects only
 * to an address the webhook SSRF guard checked at connect time (DNS rebinding refused), redirects
 * are never followed.
 */
export class GuardedHttp {
  private readonly agent: Agent;

  constructor(policy: WebhookTargetPolicy, resolver: Resolver = systemResolver, connections = 64) {
    this.agent = new Agent({ connections, keepAliveTimeout: 10_000, connect: { lookup: guardedLookup(policy, resolver) } });
  }

  /** One request, its answer read up to `maxBytes`. Throws on network errors, refusals and aborts. */
  async send(url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal; maxBytes: number }): Promise<GuardedResponse> {
    const response = await request(url, { method: init.method as 'POST', dispatcher: this.agent, headers: init.headers, body: init.body, signal: init.signal });
    const { text, truncated } = await readCapped(response.body, init.maxBytes);
    return { statusCode: response.statusCode, text, truncated };
  }

  /** A WHATWG `fetch` through the guarded agent (for the MCP client transport). */
  readonly fetch = (url: string | URL, init?: RequestInit): Promise<Response> =>
    undiciFetch(url, { ...(init as object), dispatcher: this.agent, redirect: 'manual' } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;

  async close(): Promise<void> {
    await this.agent.close();
  }
}
