/** Injection tokens of the eval worker's settings (`config/eval-worker.config.ts`). */
export const EVALUATION_SETTINGS = Symbol('EVALUATION_SETTINGS');
export const REGRESSION_SETTINGS = Symbol('REGRESSION_SETTINGS');
