import { Attributes, Link, ROOT_CONTEXT, SpanStatusCode, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const tracer = trace.getTracer('conduit-jobs');
/** Stored trace parents are always W3C `traceparent`s, whatever propagator the process uses. */
const w3c = new W3CTraceContextPropagator();

/** The span context a stored W3C `traceparent` names, as a span link (none when absent or malformed). */
export function linkTo(traceparent: string | null | undefined): Link[] {
  if (!traceparent) return [];
  const spanContext = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter));
  return spanContext ? [{ context: spanContext }] : [];
}

/**
 * Runs `work` in a new span linked to the trace a stored `traceparent` names. For work that belongs
 * to an earlier trace but starts outside it (a redelivery asked for later, a job recovered by the
 * reconciler): the new trace stays navigable to the original one without pretending to be part of it.
 */
export async function linkedSpan<T>(name: string, traceparent: string | null | undefined, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { links: linkTo(traceparent), attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
