/**
 * A provider-neutral token estimate (about four characters per token for English text), used only
 * where providers report nothing: history budgets and streams cut short by the client.
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}
