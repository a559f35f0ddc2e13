export { Retriever, DEFAULT_TOP_K, MAX_QUERY_CHARS, MAX_TOP_K } from './retriever';
export type { RetrieveRequest, RetrieveResult, RetrievedChunk } from './retriever';
export { buildGroundedPrompt, DEFAULT_GROUNDING_INSTRUCTIONS, groundingSources } from './grounded-prompt';
export type { GroundedPromptOptions, SystemMessage } from './grounded-prompt';
export { RetrievalException, RetrievalErrorCode } from './retrieval.exception';
export { RetrievalModule } from './retrieval.module';
export type { RetrievalModuleOptions } from './retrieval.module';
export { RETRIEVAL_EMBEDDER } from './retrieval.constants';
