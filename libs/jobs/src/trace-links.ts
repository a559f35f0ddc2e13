import { Attributes, Link, ROOT_CONTEXT, SpanStatusCode, propagation, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('conduit-jobs');

/** The span context a stored W3C `traceparent` names, as a span link (none when absent or malformed). */
export function linkTo(traceparent: string | null | undefined): Link[] {
  if (!traceparent) return [];
  const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }));
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
