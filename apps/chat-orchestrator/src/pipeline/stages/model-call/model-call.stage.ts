import { Injectable } from '@nestjs/common';
import { CompleteResult, GatewayCallOptions, LlmGateway, StreamResult, TokenUsage } from '@conduit/llm';
import { toChatException } from '../../../chat/llm-error.mapping';
import type { ModelCallStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';
import { InvalidModelOutputException } from './invalid-model-output.exception';
import { jsonAnswerCheckOf, structuredOutputChecks, type JsonAnswerCheck } from './json-answer.check';

/** The gateway's options for one turn: content capture only when the tenant's `tracing` policy turned it on. */
function optionsOf(turn: Turn, signal: AbortSignal): GatewayCallOptions {
  return { signal, requestId: turn.context.requestId, ...(turn.captureContent !== undefined ? { captureContent: turn.captureContent } : {}) };
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

/** What is wrong with a result's answer; a tool-call answer is not checked (its content is not the answer). */
function problemOf(check: JsonAnswerCheck, result: CompleteResult): string | undefined {
  return result.completion.tool_calls?.length ? undefined : check(result.completion.content);
}

/**
 * The model call, to the route the routing stage chose (else the requested alias or model): the LLM gateway picks the route's target, retries, trips breakers
 * and falls back (see libs/llm). Always on. With the tenant's `tracing.capture_content` on, the provider spans carry
 * the prompt and the answer after the PII guard (`Turn.captureContent`). The tool loop will live here.
 *
 * `conduit.validate_json` (non-streaming only; the request schema refuses it with `stream`): the
 * answer is checked against the `response_format` (json-answer.check.ts); an invalid one gets one
 * more call with the same request, and the turn's usage is both calls'; a second invalid answer is
 * 502 `invalid_model_output` ({@link InvalidModelOutputException}, which the pipeline records as a
 * `failed` turn with both calls' usage before it goes to the client).
 */
@Injectable()
export class ModelCallStageImpl implements ModelCallStage {
  readonly name = 'model_call';
  readonly calls = true;

  constructor(private readonly llm: LlmGateway) {}

  enabled(): boolean {
    return true;
  }

  async complete(turn: Turn, signal: AbortSignal): Promise<CompleteResult> {
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

  openStream(turn: Turn, signal: AbortSignal): Promise<StreamResult> {
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
