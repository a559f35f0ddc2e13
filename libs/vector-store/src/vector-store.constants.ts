/** Nest injection token of the configured {@link VectorStore} (a {@link ManagedVectorStore}). */
export const VECTOR_STORE = Symbol('VECTOR_STORE');
export const VECTOR_STORE_CONFIG = Symbol('VECTOR_STORE_CONFIG');
