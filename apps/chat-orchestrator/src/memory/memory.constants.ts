/** The orchestrator's memory settings (`MEMORY_*`). */
export const MEMORY_SETTINGS = Symbol('MEMORY_SETTINGS');

export interface MemorySettings {
  /** The extraction model when the tenant's policy names none (`MEMORY_MODEL`). */
  model: string;
  extractionTimeoutMs: number;
  /** `memory.extract` jobs run at once by this process. */
  concurrency: number;
}
