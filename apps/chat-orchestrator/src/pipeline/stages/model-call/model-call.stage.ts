import { Injectable } from '@nestjs/common';
import { CompleteResult, GatewayCallOptions, LlmGateway, StreamResult } from '@conduit/llm';
import { toChatException } from '../../../chat/llm-error.mapping';
import type { ModelCallStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

/** The gateway's options for one turn: content capture only when the tenant's `tracing` policy turned it on. */
function optionsOf(turn: Turn, signal: AbortSignal): GatewayCallOptions {
  return { signal, requestId: turn.context.requestId, ...(turn.captureContent !== undefined ? { captureContent: turn.captureContent } : {}) };
}

/**
 * The model call, to the route the routing stage chose (else the requested alias or model): the LLM gateway picks the route's target, retries, trips breakers
 * and falls back (see libs/llm). Always on. With the tenant's `tracing.capture_content` on, the provider spans carry
 * the prompt and the answer after the PII guard (`Turn.captureContent`). The tool loop will live here.
 */
@Injectable()
export class ModelCallStageImpl implements ModelCallStage {
  readonly name = 'model_call';
  readonly calls = true;

  constructor(private readonly llm: LlmGateway) {}

  enabled(): boolean {
    return true;
  }

  complete(turn: Turn, signal: AbortSignal): Promise<CompleteResult> {
    return this.llm
      .complete(turn.route?.applied ?? turn.body.model, turn.request, optionsOf(turn, signal))
      .catch((error: unknown) => Promise.reject(toChatException(error)));
  }

  openStream(turn: Turn, signal: AbortSignal): Promise<StreamResult> {
    return this.llm
      .openStream(turn.route?.applied ?? turn.body.model, turn.request, optionsOf(turn, signal))
      .catch((error: unknown) => Promise.reject(toChatException(error)));
  }
}
