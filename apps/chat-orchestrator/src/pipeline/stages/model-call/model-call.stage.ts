import { Injectable } from '@nestjs/common';
import { CompleteResult, LlmGateway, StreamResult } from '@conduit/llm';
import { toChatException } from '../../../chat/llm-error.mapping';
import type { ModelCallStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';

/**
 * Routing and the model call: the LLM gateway picks the route's target, retries, trips breakers
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
      .complete(turn.body.model, turn.request, { signal, requestId: turn.context.requestId })
      .catch((error: unknown) => Promise.reject(toChatException(error)));
  }

  openStream(turn: Turn, signal: AbortSignal): Promise<StreamResult> {
    return this.llm
      .openStream(turn.body.model, turn.request, { signal, requestId: turn.context.requestId })
      .catch((error: unknown) => Promise.reject(toChatException(error)));
  }
}
