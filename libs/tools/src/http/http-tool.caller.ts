import { randomUUID } from 'node:crypto';
import type { Tool } from '@conduit/db';
import { webhookHeaders, WebhookTargetPolicy } from '@conduit/webhooks';
import type { ToolOutcome } from '../tools.types';
import type { ToolSecrets } from '../tool-secrets';
import { callSignal, failureOf } from '../outbound/call-failure';
import type { GuardedHttp } from '../outbound/guarded-http';
import { toolUrlProblem } from '../outbound/tool-url';

export const TOOL_USER_AGENT = 'Conduit-Tools/1.0';
const ERROR_SNIPPET_BYTES = 512;

export interface HttpToolCall {
  arguments: Record<string, unknown>;
  signal: AbortSignal;
  timeoutMs: number;
  maxResultBytes: number;
  callId?: string;
}

/**
 * One call of a registered HTTP tool. The request body is
 * `{"tool": <name>, "call_id": <the model's id or null>, "arguments": {...}}`, signed with the
 * tool's secret (Standard Webhooks headers, `webhook-id` fresh per call) so the tool server can
 * verify that Conduit calls it. A 2xx answer's body (as text, cut at `maxResultBytes`) is the result.
 */
export async function callHttpTool(http: GuardedHttp, policy: WebhookTargetPolicy, tool: Tool, secrets: ToolSecrets, call: HttpToolCall): Promise<ToolOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const refused = toolUrlProblem(tool.url, policy);
  if (refused) return { ok: false, error: 'refused', message: refused, durationMs: 0 };

  const body = JSON.stringify({ tool: tool.name, call_id: call.callId ?? null, arguments: call.arguments });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': TOOL_USER_AGENT,
    ...webhookHeaders({ id: randomUUID(), timestamp: Math.floor(Date.now() / 1000), body }, [secrets.signingSecret]),
  };
  if (secrets.authToken) headers['authorization'] = `Bearer ${secrets.authToken}`;

  const { signal, timedOut } = callSignal(call.signal, call.timeoutMs);
  try {
    const response = await http.send(tool.url, { method: tool.method, headers, body, signal, maxBytes: call.maxResultBytes });
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const snippet = response.text.slice(0, ERROR_SNIPPET_BYTES);
      return { ok: false, error: 'http_error', message: `the tool answered HTTP ${response.statusCode}${snippet ? `: ${snippet}` : ''}`, durationMs: elapsed() };
    }
    return { ok: true, content: response.text, truncated: response.truncated, durationMs: elapsed() };
  } catch (error) {
    return failureOf(error, call.signal, timedOut(), call.timeoutMs, elapsed());
  }
}
