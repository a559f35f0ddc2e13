import { SpanStatusCode, trace } from '@opentelemetry/api';
import { pipelineStageDuration } from '@conduit/observability';

const tracer = trace.getTracer('@conduit/chat-orchestrator/pipeline');

/** Runs one hook of a stage inside a `pipeline <stage>` span and observes its duration. */
export async function inStage<T>(stage: string, hook: string, run: () => Promise<T> | T): Promise<T> {
  return tracer.startActiveSpan(`pipeline ${stage}`, { attributes: { 'conduit.pipeline.stage': stage, 'conduit.pipeline.hook': hook } }, async (span) => {
    const started = performance.now();
    try {
      return await run();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      pipelineStageDuration.observe({ stage }, (performance.now() - started) / 1_000);
      span.end();
    }
  });
}

/** Synchronous work of a stage spread over a stream (answer filters): timed as it runs, observed once at the end. */
export class StageClock {
  private seconds = 0;

  constructor(readonly stage: string) {}

  time<T>(run: () => T): T {
    const started = performance.now();
    try {
      return run();
    } finally {
      this.seconds += (performance.now() - started) / 1_000;
    }
  }

  async timeAsync<T>(run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.seconds += (performance.now() - started) / 1_000;
    }
  }

  observe(): void {
    pipelineStageDuration.observe({ stage: this.stage }, this.seconds);
  }
}
