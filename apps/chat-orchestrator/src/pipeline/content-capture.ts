import type { TracingPolicy } from '@conduit/contracts';
import { createLogScrubber } from '@conduit/guardrails';

/** The PII guard of captured content: the log scrubber (PII and secrets found by value, same detectors as the input guards). */
const scrub = createLogScrubber();

/**
 * The tenant's `tracing` policy as the LLM gateway's `captureContent` option: each message's text
 * scrubbed of PII and secrets, then cut to `max_chars`. `undefined` when capture is off (the
 * default), so no content reaches a span and nothing is scanned.
 */
export function contentCaptureOf(policy: TracingPolicy): ((text: string) => string) | undefined {
  if (!policy.capture_content) return undefined;
  const max = policy.max_chars;
  return (text: string) => {
    const clean = scrub(text);
    return clean.length > max ? clean.slice(0, max) : clean;
  };
}
