/** Injection token of the embedder queries are embedded with (provided by {@link RetrievalModule}). */
export const RETRIEVAL_EMBEDDER = Symbol('RETRIEVAL_EMBEDDER');
