import { describeVectorStoreContract } from './vector-store.contract';
import { QdrantVectorStore } from './qdrant.store';

const url = process.env['QDRANT_URL'];

if (url) {
  describeVectorStoreContract('qdrant', () => new QdrantVectorStore({ url, apiKey: process.env['QDRANT_API_KEY'] || undefined }));
} else {
  describe.skip('VectorStore contract: qdrant (skipped: set QDRANT_URL, e.g. QDRANT_URL=http://127.0.0.1:6333, to run it against a Qdrant server)', () => {
    it('needs QDRANT_URL', () => undefined);
  });
}
