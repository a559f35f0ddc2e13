import type { Resolver, WebhookTargetPolicy } from '@conduit/webhooks';

export interface ToolsApiOptions {
  /** Where tool and MCP server URLs may point (the webhook SSRF policy), checked at registration and at every call. */
  policy: WebhookTargetPolicy;
  /** DNS for the URL checks; tests replace it. */
  resolver?: Resolver;
}
