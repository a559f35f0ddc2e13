export { DocumentIngestProducer } from './document-ingest.producer';
export { VectorRebuild } from './vector-rebuild';
export type { RebuildDocument, RebuildOptions, RebuildProgress, RebuildReport, StoredPointCounter } from './vector-rebuild';
