/** A dependency whose failure makes a service not ready (Postgres, Redis, vector store …). */
export interface ReadinessCheck {
  readonly name: string;
  /**
   * Resolves when the dependency answers; rejects with a message naming what is wrong. May
   * resolve with details shown under its name in `/health/ready` (a summary that never fails
   * readiness, such as the LLM breakers).
   */
  check(): Promise<void | Record<string, unknown>>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
