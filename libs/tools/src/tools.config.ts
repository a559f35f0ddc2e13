import type { z } from 'zod';
import { requireSecretsKekInProduction, secretKeyringOf, secretsEnv } from '@conduit/config';
import { refuseInsecureWebhookTargets, webhookTargetEnv, webhookTargetPolicy } from '@conduit/webhooks';
import type { ToolsModuleOptions } from './tools.constants';

/**
 * What a service that calls tools reads: where tools may be (the webhook SSRF switches
 * `WEBHOOK_ALLOW_HTTP`, `WEBHOOK_ALLOWED_CIDRS`, development and tests only) and the keyring that
 * opens their sealed secrets (`SECRETS_KEK`). Spread into the app's zod schema, refine with
 * {@link refuseInsecureToolSettings}, and pass {@link toolsSettings} to `ToolsModule.forRoot`.
 */
export const toolsEnv = { ...webhookTargetEnv, ...secretsEnv };

export interface ToolsEnv {
  NODE_ENV: 'development' | 'test' | 'production';
  WEBHOOK_ALLOW_HTTP: boolean;
  WEBHOOK_ALLOWED_CIDRS: string[];
  SECRETS_KEK?: string;
}

/** For the app schema's `.superRefine`: no development switches and a real `SECRETS_KEK` in production. */
export function refuseInsecureToolSettings(env: ToolsEnv, ctx: z.RefinementCtx): void {
  refuseInsecureWebhookTargets(env, ctx);
  requireSecretsKekInProduction(env, ctx);
}

/** `ToolsModule.forRoot(toolsSettings(env))`: the SSRF policy and the keyring. */
export function toolsSettings(env: ToolsEnv): Pick<ToolsModuleOptions, 'policy' | 'keyring'> {
  return { policy: webhookTargetPolicy(env), keyring: secretKeyringOf(env) };
}
