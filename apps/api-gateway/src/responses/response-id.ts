/**
 * A response's id is its stored assistant message's: `resp_` and the message uuid's 32 hex digits.
 * Its output items' ids derive from it (`msg_…`, `fc_…_<n>`), so a stored response reads back
 * with the ids it was answered with.
 */
const RESPONSE_ID = /^resp_([0-9a-f]{32})$/;

export function responseIdOf(messageId: string): string {
  return `resp_${messageId.replace(/-/g, '')}`;
}

/** The message uuid a response id names; null when it is not one of Conduit's response ids. */
export function messageIdOf(responseId: string): string | null {
  const hex = RESPONSE_ID.exec(responseId)?.[1];
  if (!hex) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function messageItemIdOf(responseId: string): string {
  return `msg_${responseId.slice('resp_'.length)}`;
}

export function functionCallItemIdOf(responseId: string, index: number): string {
  return `fc_${responseId.slice('resp_'.length)}_${index}`;
}
