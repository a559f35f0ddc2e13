/** An embedding call failed, or a provider answered with something unusable. */
export class EmbeddingError extends Error {
  /** HTTP status of the provider's last answer, when there was one. */
  readonly status?: number;

  constructor(message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EmbeddingError';
    if (options.status !== undefined) this.status = options.status;
  }
}
