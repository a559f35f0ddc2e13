import { parentPort } from 'node:worker_threads';
import { cl100kTokens } from '../chunking/tokenizer';
import { processDocument, ProcessingRequest, toProcessingFailure } from './document-processor';

/**
 * Entry of a document processing thread ({@link DocumentProcessorPool}): one request at a time,
 * answered with the result (typed arrays transferred, not copied) or a failure description.
 */
const port = parentPort;
if (!port) throw new Error('document-processor.thread must run in a worker thread');
// Loads the tokenizer's vocabulary while the thread is idle rather than in the first document's time.
cl100kTokens('warm up');
port.postMessage({ ready: true });

port.on('message', (request: ProcessingRequest) => {
  processDocument(request).then(
    (result) => port.postMessage({ ok: true, result }, [result.starts.buffer, result.ends.buffer, result.tokens.buffer]),
    (error: unknown) => port.postMessage({ ok: false, failure: toProcessingFailure(error) }),
  );
});
