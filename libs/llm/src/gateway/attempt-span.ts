import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { GEN_AI, GEN_AI_OPERATION, genAiSpanName } from '@conduit/observability';
import type { LlmError } from '../errors/llm.exception';
import type { ChatRequest, FinishReason, TokenUsage } from '../llm.types';

export const LLM_TRACER_NAME = '@conduit/llm';

export interface AttemptSpanStart {
  /** `gen_ai.provider.name` of the provider (`anthropic`, `openai`). */
  system: string;
  provider: string;
  request: ChatRequest;
  attempt: number;
  requested: string;
  requestId?: string;
  stream: boolean;
  /**
   * Opt-in message capture: when set, the prompt and the answer are recorded on the span
   * (`gen_ai.input.messages`, `gen_ai.output.messages`) after passing through this function,
   * which is the PII guard. Absent (the default), no message content reaches a span.
   */
  captureContent?: (text: string) => string;
}

export interface AttemptSpanResult {
  model?: string;
  upstreamId?: string;
  finishReason: FinishReason;
  usage: TokenUsage;
  /** The answer's text, recorded only when content capture is on. */
  content?: string;
}

/** One `chat {model}` CLIENT span per upstream attempt (`{operation} {model}`). */
export class AttemptSpan {
  private ended = false;

  private constructor(
    private readonly span: Span,
    private readonly captureContent: ((text: string) => string) | undefined,
  ) {}

  static start(start: AttemptSpanStart, tracer: Tracer = trace.getTracer(LLM_TRACER_NAME)): AttemptSpan {
    const { request } = start;
    const attributes: Attributes = {
      [GEN_AI.operation]: GEN_AI_OPERATION.chat,
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
    const capture = start.captureContent;
    if (capture !== undefined) {
      const messages = request.messages.map((message) => ({ role: message.role, parts: [{ type: 'text', content: capture(message.content) }] }));
      attributes[GEN_AI.inputMessages] = JSON.stringify(messages);
    }
    const span = tracer.startSpan(genAiSpanName(GEN_AI_OPERATION.chat, request.model), { kind: SpanKind.CLIENT, attributes });
    return new AttemptSpan(span, capture);
  }

  /** Runs `fn` with this span active, so HTTP client spans and propagated trace context nest under it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return context.with(trace.setSpan(context.active(), this.span), fn);
  }

  /** Marks the moment the first content event arrived (streams), `seconds` after the attempt began. */
  firstToken(seconds: number): void {
    this.span.setAttribute(GEN_AI.timeToFirstChunk, seconds);
    this.span.addEvent('gen_ai.first_token');
  }

  succeed(result: AttemptSpanResult): void {
    if (this.ended) return;
    this.span.setAttributes({
      [GEN_AI.finishReasons]: [result.finishReason],
      [GEN_AI.inputTokens]: result.usage.input_tokens,
      [GEN_AI.outputTokens]: result.usage.output_tokens,
      [GEN_AI.cacheReadInputTokens]: result.usage.cached_tokens,
    });
    if (this.captureContent !== undefined && result.content !== undefined) {
      const answer = [{ role: 'assistant', parts: [{ type: 'text', content: this.captureContent(result.content) }], finish_reason: result.finishReason }];
      this.span.setAttribute(GEN_AI.outputMessages, JSON.stringify(answer));
    }
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
