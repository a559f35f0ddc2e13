/**
 * A provider-neutral token estimate (about four characters per token for English text), used only
 * where providers report nothing: the usage of streams cut short by the client. The history window
 * counts real tokens (`messageTokens`, @conduit/conversations).
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}
