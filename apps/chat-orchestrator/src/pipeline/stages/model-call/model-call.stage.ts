import { Injectable } from '@nestjs/common';
import { CompleteResult, LlmGateway, StreamResult } from '@conduit/llm';
import { toChatException } from '../../../chat/llm-error.mapping';
import type { ModelCallStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

/**
 * The model call, to the route the routing stage chose (else the requested alias or model): the LLM gateway picks the route's target, retries, trips breakers
 * and falls back (see libs/llm). Always on. The tool loop will live here.
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
      .complete(turn.route?.applied ?? turn.body.model, turn.request, { signal, requestId: turn.context.requestId })
      .catch((error: unknown) => Promise.reject(toChatException(error)));
  }

  openStream(turn: Turn, signal: AbortSignal): Promise<StreamResult> {
    return this.llm
      .openStream(turn.route?.applied ?? turn.body.model, turn.request, { signal, requestId: turn.context.requestId })
      .catch((error: unknown) => Promise.reject(toChatException(error)));
  }
}
