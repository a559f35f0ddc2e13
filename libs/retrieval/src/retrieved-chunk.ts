/** One chunk a retrieval returned. */
export interface RetrievedChunk {
  document_id: string;
  chunk_index: number;
  text: string;
  /** Cosine similarity, higher is closer. */
  score: number;
  filename?: string;
  start_offset: number;
  end_offset: number;
}
