import { ConduitHeader } from '@conduit/contracts';
import type { TestOwner } from './fixtures';
import type { OrchestratorTestApp } from './orchestrator-test-app';

/** `POST /internal/chat/completions` as the gateway sends it: the internal token and the caller's ids. */
export function internalChat(
  t: OrchestratorTestApp,
  token: string,
  owner: TestOwner,
  body: Record<string, unknown>,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${t.url}/internal/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [ConduitHeader.InternalToken]: token,
      [ConduitHeader.TenantId]: owner.tenantId,
      [ConduitHeader.UserId]: owner.userId,
      ...options.headers,
    },
    body: JSON.stringify({ model: 'default', ...body }),
    signal: options.signal,
  });
}
