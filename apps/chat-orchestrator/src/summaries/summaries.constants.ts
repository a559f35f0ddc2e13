export const SUMMARIES_SETTINGS = Symbol('SUMMARIES_SETTINGS');

/** The session summary job's settings (`MEMORY_*` of the orchestrator's config). */
export interface SummariesSettings {
  /** The model (alias) a tenant without `memory.summary_model` is summarised with: a cheap one. */
  model: string;
  /** Per-attempt timeout of a summariser call. */
  timeoutMs: number;
  /** Summary jobs this process runs at once. */
  concurrency: number;
}
