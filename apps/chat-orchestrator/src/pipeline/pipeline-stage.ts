import type { ChatCompletion, CompleteResult, StreamResult, ToolCall } from '@conduit/llm';
import type { AnswerFilter } from './answer-filter';
import type { Turn } from './turn';

/** How an answer ended, as the stages after the model call see it. */
export interface FinishedAnswer {
  /** The text the client received (after every filter). */
  content: string;
  /** `failed`: the client got an error, yet provider calls were made and are billed (e.g. `invalid_model_output`). */
  status: 'complete' | 'partial' | 'failed';
  provider: string;
  model: string;
  usage: ChatCompletion['usage'];
  usageEstimated: boolean;
  latencyMs: number;
  ttftMs: number | null;
  /** Stored with the assistant message (finish reason, attempts, error kind ...). */
  metadata: Record<string, string | number | boolean | null>;
  /** Async jobs: the turn must be stored before the job's result is. */
  durable: boolean;
  /** The tools the answer called (stored with the assistant message, so the history keeps them). */
  toolCalls?: ToolCall[];
}

/**
 * One stage of the chat pipeline: a folder under `pipeline/stages/`, one entry in
 * `pipeline.stages.ts`. The pipeline checks `enabled` (the per-tenant policy) first: a stage that
 * is off costs that one call, with no span and no metric. Each hook that runs gets a span
 * (`pipeline <name>`) and an observation of `conduit_pipeline_stage_duration_seconds{stage}`.
 */
export interface PipelineStage {
  readonly name: string;
  enabled(turn: Turn): boolean;
  /** Before the model call, in list order: read and extend the turn, or refuse the request by throwing. */
  prepare?(turn: Turn): Promise<void> | void;
  /**
   * When the answer starts: a filter its text passes through. Filters apply in reverse list order
   * (the last stage to touch the request sees the answer first): output guards check the model's
   * own text, then input guards put the placeholders back.
   */
  answer?(turn: Turn): AnswerFilter | undefined;
  /** After the answer (complete, partial or broken), in list order. */
  finish?(turn: Turn, answer: FinishedAnswer): Promise<void> | void;
}

/** The stage that calls the model (routing, retries, fallback, and later the tool loop). Exactly one is in the list. */
export interface ModelCallStage extends PipelineStage {
  readonly calls: true;
  complete(turn: Turn, signal: AbortSignal): Promise<CompleteResult>;
  /** Resolves at the first token, before which retries and fallback apply. */
  openStream(turn: Turn, signal: AbortSignal): Promise<StreamResult>;
}

export function isModelCall(stage: PipelineStage): stage is ModelCallStage {
  return (stage as Partial<ModelCallStage>).calls === true;
}
