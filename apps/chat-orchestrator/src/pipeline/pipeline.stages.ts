import type { Provider, Type } from '@nestjs/common';
import type { PipelineStage } from './pipeline-stage';
import { ModelCallStageImpl } from './stages/model-call/model-call.stage';
import { PersistenceStage } from './stages/persistence/persistence.stage';
import { RetrievalStage } from './stages/retrieval/retrieval.stage';

/** The stages, in the order a request meets them (injected into `ChatPipeline`). */
export const PIPELINE_STAGES = Symbol('PIPELINE_STAGES');

/**
 * THE list: the chat request path, in order. Adding a stage is one folder under `stages/` and one
 * line here (the team guide's order: template, memory, input guards, cache lookup, retrieval,
 * routing + model call + tool loop, output guards, cache store, persistence/usage/eval sampling;
 * stages not built yet are simply absent).
 */
const STAGES: readonly Type<PipelineStage>[] = [
  RetrievalStage,
  ModelCallStageImpl,
  PersistenceStage,
];

/** Nest providers: every stage, and the ordered list of their instances. */
export const pipelineStageProviders: Provider[] = [
  ...STAGES,
  { provide: PIPELINE_STAGES, inject: [...STAGES], useFactory: (...stages: PipelineStage[]) => stages },
];
