/** The {@link MemoryVectors} of the process (the memory space of its embedder). */
export const MEMORY_VECTORS = Symbol('MEMORY_VECTORS');
/** The embedder memories and recall queries are embedded with. */
export const MEMORY_EMBEDDER = Symbol('MEMORY_EMBEDDER');
