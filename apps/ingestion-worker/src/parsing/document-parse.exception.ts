/** The document's bytes can never be turned into text (corrupt, encrypted, empty, wrong type). Not retried. */
export class DocumentParseError extends Error {
  override name = 'DocumentParseError';
}
