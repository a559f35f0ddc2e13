/** A refused policy document: `param` is the path of the first bad field (`guardrails.injection.user`). */
export class PolicyDocumentError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'PolicyDocumentError';
  }
}
