import type { Provider, Type } from '@nestjs/common';
import { GuardrailDecisions, guardrailMetricsProvider } from './guardrails/guardrail-decisions';
import { InjectionDetectors } from './guardrails/injection-detectors';
import type { PipelineStage } from './pipeline-stage';
import { CacheLookupStage } from './stages/cache-lookup/cache-lookup.stage';
import { ResponseCache } from './stages/cache-lookup/response-cache';
import { SemanticCache } from './stages/cache-lookup/semantic-cache';
import { CacheStoreStage } from './stages/cache-store/cache-store.stage';
import { InputGuardsStage } from './stages/input-guards/input-guards.stage';
import { MemoryStage } from './stages/memory/memory.stage';
import { ModelCallStageImpl } from './stages/model-call/model-call.stage';
import { ToolRegistry } from '@conduit/tools';
import { TOOL_CATALOG } from './stages/model-call/tool-catalog.token';
import { ToolLoop } from './stages/model-call/tool-loop';
import { OutputGuardsStage } from './stages/output-guards/output-guards.stage';
import { PersistenceStage } from './stages/persistence/persistence.stage';
import { RetrievalStage } from './stages/retrieval/retrieval.stage';
import { TemplateStage } from './stages/template/template.stage';
import { RoutingStage } from './stages/routing/routing.stage';

/** The stages, in the order a request meets them (injected into `ChatPipeline`). */
export const PIPELINE_STAGES = Symbol('PIPELINE_STAGES');

/**
 * THE list: the chat request path, in order. Adding a stage is one folder under `stages/` and one
 * line here (the team guide's order: template, memory, input guards, cache lookup, retrieval,
 * routing + model call + tool loop, output guards, cache store, persistence/usage/eval sampling;
 * stages not built yet are simply absent).
 */
const STAGES: readonly Type<PipelineStage>[] = [
  TemplateStage,
  MemoryStage,
  InputGuardsStage,
  CacheLookupStage,
  RetrievalStage,
  RoutingStage,
  ModelCallStageImpl,
  OutputGuardsStage,
  CacheStoreStage,
  PersistenceStage,
];

/** Nest providers: what the stages share, every stage, and the ordered list of their instances. */
export const pipelineStageProviders: Provider[] = [
  guardrailMetricsProvider,
  GuardrailDecisions,
  InjectionDetectors,
  ResponseCache,
  SemanticCache,
  // The tenant's tool registry (libs/tools) is the tool loop's catalog.
  { provide: TOOL_CATALOG, useExisting: ToolRegistry },
  ToolLoop,
  ...STAGES,
  { provide: PIPELINE_STAGES, inject: [...STAGES], useFactory: (...stages: PipelineStage[]) => stages },
];
