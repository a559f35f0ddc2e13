import type { SecretKeyring } from '@conduit/config';
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
  /**
   * The keyring that opens the tools' sealed secrets. Absent: the app's global one
   * (`SecretKeyringModule.forRoot`, as in the gateway) is used.
   */
  keyring?: SecretKeyring;
  /** Sockets kept per tool origin (default 64). */
  connectionsPerOrigin?: number;
}
