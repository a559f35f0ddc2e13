import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { LlmError } from '../errors/llm.exception';
import type { ChatRequest, FinishReason, TokenUsage } from '../llm.types';

/** OpenTelemetry GenAI semantic-convention attribute names (kept local: only `@opentelemetry/api` is used). */
export const GEN_AI = {
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  operation: 'gen_ai.operation.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  errorType: 'error.type',
} as const;

export const LLM_TRACER_NAME = '@conduit/llm';

export interface AttemptSpanStart {
  /** `gen_ai.system` of the provider. */
  system: string;
  provider: string;
  request: ChatRequest;
  attempt: number;
  requested: string;
  requestId?: string;
  stream: boolean;
}

export interface AttemptSpanResult {
  model?: string;
  upstreamId?: string;
  finishReason: FinishReason;
  usage: TokenUsage;
}

/** One `chat {model}` CLIENT span per upstream attempt. */
export class AttemptSpan {
  private ended = false;

  private constructor(private readonly span: Span) {}

  static start(start: AttemptSpanStart, tracer: Tracer = trace.getTracer(LLM_TRACER_NAME)): AttemptSpan {
    const { request } = start;
    const attributes: Attributes = {
      [GEN_AI.operation]: 'chat',
      [GEN_AI.system]: start.system,
      [GEN_AI.providerName]: start.system,
      [GEN_AI.requestModel]: request.model,
      'conduit.llm.provider': start.provider,
      'conduit.llm.attempt': start.attempt,
      'conduit.llm.requested': start.requested,
      'conduit.llm.stream': start.stream,
    };
    if (request.max_tokens !== undefined) attributes[GEN_AI.requestMaxTokens] = request.max_tokens;
    if (request.temperature !== undefined) attributes[GEN_AI.requestTemperature] = request.temperature;
    if (request.top_p !== undefined) attributes[GEN_AI.requestTopP] = request.top_p;
    if (start.requestId !== undefined) attributes['conduit.request_id'] = start.requestId;
    return new AttemptSpan(tracer.startSpan(`chat ${request.model}`, { kind: SpanKind.CLIENT, attributes }));
  }

  /** Runs `fn` with this span active, so HTTP client spans and propagated trace context nest under it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return context.with(trace.setSpan(context.active(), this.span), fn);
  }

  /** Marks the moment the first content event arrived (streams). */
  firstToken(): void {
    this.span.addEvent('gen_ai.first_token');
  }

  succeed(result: AttemptSpanResult): void {
    if (this.ended) return;
    this.span.setAttributes({
      [GEN_AI.finishReasons]: [result.finishReason],
      [GEN_AI.inputTokens]: result.usage.input_tokens,
      [GEN_AI.outputTokens]: result.usage.output_tokens,
      'conduit.llm.cached_tokens': result.usage.cached_tokens,
    });
    if (result.model !== undefined) this.span.setAttribute(GEN_AI.responseModel, result.model);
    if (result.upstreamId !== undefined) this.span.setAttribute(GEN_AI.responseId, result.upstreamId);
    this.end();
  }

  /** A caller cancellation is recorded (`error.type=cancelled`) but not marked as a span error. */
  fail(error: LlmError): void {
    if (this.ended) return;
    this.span.setAttribute(GEN_AI.errorType, error.kind);
    if (error.status !== undefined) this.span.setAttribute('http.response.status_code', error.status);
    if (error.kind !== 'cancelled') this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    this.end();
  }

  private end(): void {
    this.ended = true;
    this.span.end();
  }
}
