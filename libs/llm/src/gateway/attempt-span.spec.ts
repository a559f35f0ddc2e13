import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LlmError } from '../errors/llm.exception';
import type { CallOptions, ChatCompletion, ChatRequest, ChatStreamEvent, LlmProvider } from '../llm.types';
import { LlmGateway } from './llm.gateway';
import type { LlmMetrics } from './llm-metrics';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

class Scripted implements LlmProvider {
  readonly system = 'anthropic';
  constructor(
    readonly name: string,
    private failures: number,
  ) {}
  async complete(request: ChatRequest, _options: CallOptions): Promise<ChatCompletion> {
    if (this.failures-- > 0) throw new LlmError({ kind: 'overloaded', status: 529, provider: this.name, model: request.model, message: 'busy' });
    return { content: 'ok', finish_reason: 'stop', usage: { input_tokens: 11, output_tokens: 7, cached_tokens: 0 }, upstream_id: 'msg_1', model: `${request.model}-20260101` };
  }
  // eslint-disable-next-line require-yield
  async *stream(): AsyncIterable<ChatStreamEvent> {
    throw new Error('not used');
  }
}

const metrics: LlmMetrics = { attempt: () => undefined, timeToFirstToken: () => undefined, usage: () => undefined, error: () => undefined };

describe('attempt spans (OpenTelemetry GenAI conventions)', () => {
  beforeAll(() => trace.setGlobalTracerProvider(provider));
  afterAll(() => trace.disable());

  it('emits one CLIENT span per attempt with request, response, usage and error attributes', async () => {
    const gateway = new LlmGateway(
      { providers: [{ name: 'anthropic', kind: 'anthropic', maxRetries: 1 }], retry: { baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 } },
      { providers: { anthropic: new Scripted('anthropic', 1) }, metrics },
    );
    await gateway.complete('claude-haiku-4-5', { messages: [{ role: 'user', content: 'hi' }], max_tokens: 50, temperature: 0.4 }, { requestId: 'req-9' });

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['chat claude-haiku-4-5', 'chat claude-haiku-4-5']);
    const [failed, ok] = spans;
    for (const span of spans) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes).toMatchObject({
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'claude-haiku-4-5',
        'gen_ai.request.max_tokens': 50,
        'gen_ai.request.temperature': 0.4,
        'conduit.request_id': 'req-9',
      });
    }
    expect(failed.attributes).toMatchObject({ 'error.type': 'overloaded', 'conduit.llm.attempt': 1, 'http.response.status_code': 529 });
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(ok.attributes).toMatchObject({
      'conduit.llm.attempt': 2,
      'gen_ai.response.model': 'claude-haiku-4-5-20260101',
      'gen_ai.response.id': 'msg_1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.usage.cache_read.input_tokens': 0,
    });
    expect(ok.attributes['error.type']).toBeUndefined();
    for (const span of spans) {
      expect(span.attributes['gen_ai.system']).toBeUndefined();
      expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
    }
  });

  it('records message content only when the caller opts in, and only as the PII guard returns it', async () => {
    exporter.reset();
    const gateway = new LlmGateway({ providers: [{ name: 'anthropic', kind: 'anthropic' }] }, { providers: { anthropic: new Scripted('anthropic', 0) }, metrics });
    const guard = (text: string) => text.replace(/\S+@\S+/g, '[EMAIL]');
    await gateway.complete('claude-haiku-4-5', { messages: [{ role: 'user', content: 'mail ann@example.com' }] }, { captureContent: guard });

    const [span] = exporter.getFinishedSpans();
    const input = JSON.parse(String(span.attributes['gen_ai.input.messages'])) as { role: string; parts: { content: string }[] }[];
    expect(input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'mail [EMAIL]' }] }]);
    expect(String(span.attributes['gen_ai.input.messages'])).not.toContain('ann@example.com');
    const output = JSON.parse(String(span.attributes['gen_ai.output.messages'])) as { role: string; parts: { content: string }[] }[];
    expect(output[0]).toMatchObject({ role: 'assistant', parts: [{ type: 'text', content: 'ok' }], finish_reason: 'stop' });
  });

  it('puts time to first chunk on a streaming attempt span', async () => {
    exporter.reset();
    class Streaming extends Scripted {
      override async *stream(): AsyncIterable<ChatStreamEvent> {
        yield { type: 'text', text: 'hel' };
        yield { type: 'done', finish_reason: 'stop', usage: { input_tokens: 3, output_tokens: 1, cached_tokens: 2 } };
      }
    }
    const gateway = new LlmGateway({ providers: [{ name: 'anthropic', kind: 'anthropic' }] }, { providers: { anthropic: new Streaming('anthropic', 0) }, metrics });
    const result = await gateway.openStream('claude-haiku-4-5', { messages: [{ role: 'user', content: 'hi' }] });
    for await (const _event of result.events) {
      // drain
    }
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('chat claude-haiku-4-5');
    expect(typeof span.attributes['gen_ai.response.time_to_first_chunk']).toBe('number');
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0);
    expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(2);
    expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
  });

  it('records the assembled answer of a stream when it ends, through the PII guard, when the caller opts in', async () => {
    exporter.reset();
    class Streaming extends Scripted {
      override async *stream(): AsyncIterable<ChatStreamEvent> {
        yield { type: 'text', text: 'write to ann@' };
        yield { type: 'text', text: 'example.com' };
        yield { type: 'text', text: ' today' };
        yield { type: 'done', finish_reason: 'stop', usage: { input_tokens: 3, output_tokens: 3, cached_tokens: 0 } };
      }
    }
    const gateway = new LlmGateway({ providers: [{ name: 'anthropic', kind: 'anthropic' }] }, { providers: { anthropic: new Streaming('anthropic', 0) }, metrics });
    const guard = (text: string) => text.replace(/\S+@\S+/g, '[EMAIL]');
    const result = await gateway.openStream('claude-haiku-4-5', { messages: [{ role: 'user', content: 'hi' }] }, { captureContent: guard });
    for await (const _event of result.events) {
      // drain
    }
    const [span] = exporter.getFinishedSpans();
    const output = JSON.parse(String(span.attributes['gen_ai.output.messages'])) as { parts: { content: string }[] }[];
    expect(output[0].parts[0].content).toBe('write to [EMAIL] today');
  });
});
