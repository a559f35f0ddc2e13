import type { CallOptions } from '../llm.types';

/** Per-request options both SDKs accept: our attempt signal, the attempt timeout, extra headers. */
export function sdkRequestOptions(
  signal: AbortSignal,
  options: CallOptions,
): { signal: AbortSignal; timeout?: number; headers?: Record<string, string> } {
  return {
    signal,
    // The SDKs require a positive integer.
    ...(options.timeoutMs !== undefined && options.timeoutMs > 0 ? { timeout: Math.ceil(options.timeoutMs) } : {}),
    ...(options.headers !== undefined ? { headers: options.headers } : {}),
  };
}
