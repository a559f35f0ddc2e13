import { Resolver, WebhookTargetError, WebhookTargetPolicy, assertWebhookUrlAllowed, checkWebhookUrl, systemResolver } from '@conduit/webhooks';
import { ToolException } from '../tool.exception';

/** The webhook guard's message, worded for a tool's or MCP server's `url`. */
export function toolUrlRefusal(error: WebhookTargetError): string {
  return error.message.replace(/^webhook_url/, 'url').replace('webhooks only go to public addresses', 'tools are only called on public addresses');
}

/**
 * The registration-time check of a tool or MCP server URL: the SSRF rules of webhooks (https,
 * no credentials, every address the host resolves to public; `WEBHOOK_ALLOW_HTTP` and
 * `WEBHOOK_ALLOWED_CIDRS` relax it for development and tests). Throws `tool_url_refused`.
 */
export async function assertToolUrlAllowed(url: string, policy: WebhookTargetPolicy, resolver: Resolver = systemResolver): Promise<void> {
  try {
    await assertWebhookUrlAllowed(url, policy, resolver);
  } catch (error) {
    if (error instanceof WebhookTargetError) throw ToolException.urlRefused(toolUrlRefusal(error));
    throw error;
  }
}

/** The call-time syntax check (DNS is checked again when the socket connects); null when allowed. */
export function toolUrlProblem(url: string, policy: WebhookTargetPolicy): string | null {
  try {
    checkWebhookUrl(url, policy);
    return null;
  } catch (error) {
    if (error instanceof WebhookTargetError) return toolUrlRefusal(error);
    throw error;
  }
}

/** The {@link WebhookTargetError} somewhere in an error's cause chain (undici wraps the lookup's error). */
export function findTargetError(error: unknown): WebhookTargetError | undefined {
  for (let current = error, depth = 0; current && depth < 6; depth += 1) {
    if (current instanceof WebhookTargetError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
