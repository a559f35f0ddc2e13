export { DocumentIngestProducer } from './document-ingest.producer';
