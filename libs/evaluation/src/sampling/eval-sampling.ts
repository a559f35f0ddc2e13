import { createHash } from 'node:crypto';

/**
 * Where a message id falls in [0, 1): the first 48 bits of its SHA-256. Uniform over ids and the
 * same in every process and on every re-run, so a turn is sampled (or not) the same way each time.
 */
export function sampleShareOf(messageId: string): number {
  const digest = createHash('sha256').update(messageId).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Whether the deterministic sample at `rate` (0–1) takes this message. */
export function isSampled(messageId: string, rate: number): boolean {
  return rate > 0 && sampleShareOf(messageId) < rate;
}

/** What a guardrail decided, as stored in message metadata (`guardrails`). */
export interface GuardrailVerdict {
  verdict: string;
}

/** Verdicts that mean a guardrail acted on the turn (anything but `pass`; `error` too: the guard could not decide). */
export function isGuardrailFlagged(decisions: readonly GuardrailVerdict[]): boolean {
  return decisions.some((decision) => decision.verdict !== 'pass');
}
