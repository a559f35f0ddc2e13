import { ConduitHeader } from '@conduit/contracts';
import type { ChatRunner } from './offline-eval';

/**
 * Runs a case through a running gateway, the real chat path: `POST /v1/chat/completions`, then the
 * stored message (written behind the answer) for its cost. Sources come from `x-conduit-citations`.
 */
export function httpChatRunner(baseUrl: string, apiKey: string, fetchImpl: typeof fetch = fetch): ChatRunner {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  return async (evalCase) => {
    const started = performance.now();
    const response = await fetchImpl(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        model: evalCase.model ?? 'default',
        messages: evalCase.messages,
        ...(evalCase.collection ? { conduit: { collection: evalCase.collection } } : {}),
      }),
    });
    const latencyMs = Math.round(performance.now() - started);
    const body = (await response.json()) as { choices?: { message?: { content?: string } }[]; error?: { message?: string } };
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.error?.message ?? 'error'}`);
    const citations = response.headers.get(ConduitHeader.Citations);
    const sources = citations ? (JSON.parse(decodeURIComponent(citations)) as Awaited<ReturnType<ChatRunner>>['sources']) : [];
    return { answer: body.choices?.[0]?.message?.content ?? '', latencyMs, costUsd: await costOf(response.headers.get(ConduitHeader.SessionId), response.headers.get(ConduitHeader.MessageId)), sources };
  };

  /** The stored answer's cost (0 when it is not stored within a few seconds). */
  async function costOf(sessionId: string | null, messageId: string | null): Promise<number> {
    if (!sessionId || !messageId) return 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      const page = (await (await fetchImpl(`${baseUrl}/v1/sessions/${sessionId}/messages?order=desc&limit=5`, { headers })).json()) as { data?: { id: string; cost_usd: number }[] };
      const message = page.data?.find((m) => m.id === messageId);
      if (message) return message.cost_usd;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return 0;
  }
}
