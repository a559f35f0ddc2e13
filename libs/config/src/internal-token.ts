import { z } from 'zod';
import { secret } from './env.schema';

/**
 * `INTERNAL_TOKEN`: the shared secret of the internal hop (gateway → chat-orchestrator: chat,
 * models, price quotes). The caller sends it in `x-conduit-internal-token`; the orchestrator
 * refuses every internal call without it (401), whatever tenant headers come with it.
 */
export const internalTokenEnv = {
  INTERNAL_TOKEN: secret(z.string().min(16, 'must be at least 16 characters')).optional(),
};

/**
 * With `NODE_ENV=production` the service does not start without `INTERNAL_TOKEN`. Elsewhere it
 * starts (`npm start` and the test harnesses generate one per process tree), but an orchestrator
 * without one refuses every internal call: headers are never trusted on their own.
 */
export function requireInternalTokenInProduction(env: { NODE_ENV: string; INTERNAL_TOKEN?: string }, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV === 'production' && !env.INTERNAL_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['INTERNAL_TOKEN'], message: 'is required when NODE_ENV=production (the shared secret of gateway → orchestrator calls)' });
  }
}
