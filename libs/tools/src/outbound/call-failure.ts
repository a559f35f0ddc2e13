import type { ToolOutcome } from '../tools.types';
import { findTargetError, toolUrlRefusal } from './tool-url';

type Failure = Extract<ToolOutcome, { ok: false }>;

/** The caller's signal and the tool's own timeout, as one signal, and which of the two fired. */
export function callSignal(caller: AbortSignal, timeoutMs: number): { signal: AbortSignal; timedOut: () => boolean } {
  const timeout = AbortSignal.timeout(timeoutMs);
  return { signal: AbortSignal.any([caller, timeout]), timedOut: () => timeout.aborted && !caller.aborted };
}

/** How a thrown call ended: the caller left, the tool's timeout, the SSRF guard, or the network. */
export function failureOf(error: unknown, caller: AbortSignal, timedOut: boolean, timeoutMs: number, durationMs: number): Failure {
  if (caller.aborted) return { ok: false, error: 'cancelled', message: 'the tool call was cancelled', durationMs };
  if (timedOut) return { ok: false, error: 'timeout', message: `the tool did not answer within ${timeoutMs} ms`, durationMs };
  const target = findTargetError(error);
  if (target) return { ok: false, error: 'refused', message: toolUrlRefusal(target), durationMs };
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  return { ok: false, error: 'unavailable', message: `the tool could not be reached${code ? ` (${code})` : ''}`, durationMs };
}
