/** Server-sent-event framing. Payloads are pre-serialised JSON without newlines. */

/** An unnamed event, as OpenAI sends: `data: <json>\n\n`. */
export function sseData(json: string): string {
  return `data: ${json}\n\n`;
}

/** A named event, as Anthropic sends: `event: <name>\ndata: <json>\n\n`. */
export function sseEvent(event: string, json: string): string {
  return `event: ${event}\ndata: ${json}\n\n`;
}

/** OpenAI's end-of-stream sentinel. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** Response headers for an SSE stream (chunked, so a cut mid-stream is visible to the client). */
export function sseHeaders(requestIdHeader: string, requestId: string): Record<string, string> {
  return {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'transfer-encoding': 'chunked',
    [requestIdHeader]: requestId,
  };
}
