import { Injectable } from '@nestjs/common';
import { ChatStreamEvent, CompleteResult, GatewayCallOptions, LlmGateway, StreamResult, TokenUsage, ToolCall } from '@conduit/llm';
import { toChatException } from '../../../chat/llm-error.mapping';
import type { ModelCallStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';
import { InvalidModelOutputException } from './invalid-model-output.exception';
import { jsonAnswerCheckOf, structuredOutputChecks, type JsonAnswerCheck } from './json-answer.check';
import { ToolLoop } from './tool-loop';
import type { ToolRun } from './tool-run';

/** The gateway's options for one turn: content capture only when the tenant's `tracing` policy turned it on. */
function optionsOf(turn: Turn, signal: AbortSignal): GatewayCallOptions {
  return { signal, requestId: turn.context.requestId, ...(turn.captureContent !== undefined ? { captureContent: turn.captureContent } : {}) };
}

/** Tool calls of a stream, put together from their deltas (by index). */
class CallAssembler {
  private readonly calls = new Map<number, ToolCall>();

  add(event: Extract<ChatStreamEvent, { type: 'tool_call' }>): void {
    const call = this.calls.get(event.index) ?? { id: '', type: 'function' as const, function: { name: '', arguments: '' } };
    if (event.id) call.id = event.id;
    if (event.name) call.function.name += event.name;
    call.function.arguments += event.arguments_delta;
    this.calls.set(event.index, call);
  }

  list(): ToolCall[] {
    return [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  }
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const writes = (a.cache_write_tokens ?? 0) + (b.cache_write_tokens ?? 0);
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cached_tokens: a.cached_tokens + b.cached_tokens,
    ...(writes > 0 ? { cache_write_tokens: writes } : {}),
  };
}

/** An invalid final answer of a tool run (`validate_json`) bills every step before it too. */
function withRunUsage(error: unknown, run: ToolRun, attempts: CompleteResult['attempts']): unknown {
  if (!(error instanceof InvalidModelOutputException) || run.steps === 0) return error;
  const { result } = error;
  const completion = { ...result.completion, usage: addUsage(run.usage, result.completion.usage) };
  return new InvalidModelOutputException(error.message, { ...result, attempts: [...attempts, ...result.attempts], completion });
}

/** What is wrong with a result's answer; a tool-call answer is not checked (its content is not the answer). */
function problemOf(check: JsonAnswerCheck, result: CompleteResult): string | undefined {
  return result.completion.tool_calls?.length ? undefined : check(result.completion.content);
}

/**
 * The model call, to the route the routing stage chose (else the requested alias or model): the LLM gateway picks the route's target, retries, trips breakers
 * and falls back (see libs/llm). Always on. With the tenant's `tracing.capture_content` on, the provider spans carry
 * the prompt and the answer after the PII guard (`Turn.captureContent`).
 *
 * A request naming `conduit.tools` runs the tool loop here ({@link ToolLoop}): model, safe tools,
 * model again, until the model answers, calls a client tool, hits a limit or calls a dangerous
 * tool (the run pauses). The answer's usage is every step's; a streamed run streams every step's
 * text as it comes, and holds back the platform tool calls (a client tool call goes out as usual).
 *
 * `conduit.validate_json` (non-streaming only; the request schema refuses it with `stream`): the
 * answer is checked against the `response_format` (json-answer.check.ts); an invalid one gets one
 * more call with the same request, and the turn's usage is both calls'; a second invalid answer is
 * 502 `invalid_model_output` ({@link InvalidModelOutputException}, which the pipeline records as a
 * `failed` turn with both calls' usage before it goes to the client). In a tool run the check
 * applies to each step's model call; a step that calls tools is not checked (its content is not
 * the answer), so in effect it is the run's final answer that is checked and retried.
 */
@Injectable()
export class ModelCallStageImpl implements ModelCallStage {
  readonly name = 'model_call';
  readonly calls = true;

  constructor(
    private readonly llm: LlmGateway,
    private readonly loop: ToolLoop,
  ) {}

  enabled(): boolean {
    return true;
  }

  async complete(turn: Turn, signal: AbortSignal): Promise<CompleteResult> {
    const run = await this.loop.begin(turn);
    if (!run) return this.completeOnce(turn, signal);
    await this.loop.beforeFirstStep(turn, run, signal);
    const attempts: CompleteResult['attempts'] = [];
    for (;;) {
      const result = await this.completeOnce(turn, signal).catch((error: unknown) => Promise.reject(withRunUsage(error, run, attempts)));
      attempts.push(...result.attempts);
      const { completion } = result;
      const decision = await this.loop.afterStep(
        turn,
        run,
        { content: completion.content, calls: completion.tool_calls ?? [], finishReason: completion.finish_reason, model: result.model, usage: completion.usage },
        signal,
      );
      if (decision.next === 'call_model') continue;
      const { tool_calls: calls, ...rest } = completion;
      return {
        ...result,
        attempts,
        latencyMs: Math.round(performance.now() - turn.startedAt),
        completion: {
          ...rest,
          usage: run.usage,
          finish_reason: decision.finishReason ?? completion.finish_reason,
          ...(decision.clientCalls && calls ? { tool_calls: calls } : {}),
        },
      };
    }
  }

  async openStream(turn: Turn, signal: AbortSignal): Promise<StreamResult> {
    const run = await this.loop.begin(turn);
    if (!run) return this.openOnce(turn, signal);
    await this.loop.beforeFirstStep(turn, run, signal);
    const first = await this.openOnce(turn, signal);
    return { ...first, events: this.steps(turn, run, first, signal) };
  }

  /** The run's steps as one stream: each step's text as it comes, platform tool calls held back, one `done` at the end. */
  private async *steps(turn: Turn, run: ToolRun, first: StreamResult, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    let current = first;
    for (;;) {
      const calls = new CallAssembler();
      const held: ChatStreamEvent[] = [];
      let content = '';
      let done: Extract<ChatStreamEvent, { type: 'done' }> | undefined;
      for await (const event of current.events) {
        if (event.type === 'text') {
          content += event.text;
          yield event;
        } else if (event.type === 'tool_call') {
          calls.add(event);
          held.push(event);
        } else {
          done = event;
        }
      }
      if (!done) return;
      const decision = await this.loop.afterStep(
        turn,
        run,
        { content, calls: calls.list(), finishReason: done.finish_reason, model: done.model ?? current.model, usage: done.usage },
        signal,
      );
      if (decision.next === 'answer') {
        if (decision.clientCalls) yield* held;
        yield { ...done, usage: run.usage, finish_reason: decision.finishReason ?? done.finish_reason };
        return;
      }
      current = await this.openOnce(turn, signal);
    }
  }

  /** One step's model call, checked (and called once more) under `conduit.validate_json`. */
  private async completeOnce(turn: Turn, signal: AbortSignal): Promise<CompleteResult> {
    const check = turn.body.conduit?.validate_json === true ? jsonAnswerCheckOf(turn.request.response_format) : undefined;
    const first = await this.call(turn, signal);
    if (check === undefined) return first;
    if (problemOf(check, first) === undefined) {
      structuredOutputChecks.inc({ outcome: 'valid' });
      return first;
    }
    const second = await this.call(turn, signal);
    const both: CompleteResult = {
      ...second,
      attempts: [...first.attempts, ...second.attempts],
      latencyMs: first.latencyMs + second.latencyMs,
      completion: { ...second.completion, usage: addUsage(first.completion.usage, second.completion.usage) },
    };
    const problem = problemOf(check, second);
    if (problem !== undefined) {
      structuredOutputChecks.inc({ outcome: 'invalid' });
      throw new InvalidModelOutputException(`The model did not answer valid JSON for response_format ${turn.request.response_format?.type ?? ''} in 2 calls: ${problem}.`, both);
    }
    structuredOutputChecks.inc({ outcome: 'retried_valid' });
    return both;
  }

  private openOnce(turn: Turn, signal: AbortSignal): Promise<StreamResult> {
    return this.llm
      .openStream(turn.route?.applied ?? turn.body.model, turn.request, optionsOf(turn, signal))
      .catch((error: unknown) => Promise.reject(toChatException(error)));
  }

  private call(turn: Turn, signal: AbortSignal): Promise<CompleteResult> {
    return this.llm
      .complete(turn.route?.applied ?? turn.body.model, turn.request, optionsOf(turn, signal))
      .catch((error: unknown) => Promise.reject(toChatException(error)));
  }
}
