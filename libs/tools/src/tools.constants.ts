import type { Resolver, WebhookTargetPolicy } from '@conduit/webhooks';

export const TOOLS_OPTIONS = Symbol('TOOLS_OPTIONS');

export interface ToolsModuleOptions {
  /**
   * Where tools and MCP servers may be called: the webhook SSRF policy of the app
   * (`webhookTargetPolicy(env)`: `WEBHOOK_ALLOW_HTTP`, `WEBHOOK_ALLOWED_CIDRS`, both refused in production).
   */
  policy: WebhookTargetPolicy;
  /** DNS for the URL checks and the connect-time lookup; tests replace it. */
  resolver?: Resolver;
  /** Sockets kept per tool origin (default 64). */
  connectionsPerOrigin?: number;
}
