import { context, isSpanContextValid, propagation, trace } from '@opentelemetry/api';

/** The active trace id, or undefined outside a sampled span. */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/** W3C trace-context carrier for the active context, for hops the instrumentations don't cover. */
export function injectTraceCarrier(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}
