import { DocumentParseError } from '../parsing/document-parse.exception';
import { articleText, randomLetters } from '@conduit/testing';
import { DocumentFailureCode, DocumentLimitError } from './document-limits';
import { processDocument, ProcessingRequest } from './document-processor';
import { DocumentProcessorPool } from './document-processor.pool';

const request = (bytes: Buffer, maxChars = 100_000_000): ProcessingRequest => ({
  format: 'text',
  bytes,
  limits: { maxChars, maxChunks: 10_000_000, maxHtmlDepth: 64, maxPdfPages: 10 },
  chunkTokens: 64,
  overlapTokens: 8,
});
const never = new AbortController().signal;

describe('DocumentProcessorPool (worker threads)', () => {
  const pools: DocumentProcessorPool[] = [];
  const pool = (memoryMb = 512, threads = 1) => {
    const created = new DocumentProcessorPool({ threads, memoryMb });
    pools.push(created);
    return created;
  };
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.onModuleDestroy()));
  });

  it('returns what processDocument returns, and reuses its thread for the next document', async () => {
    const processor = pool();
    const input = request(Buffer.from(articleText(30, 2)));
    const inThread = await processor.process(input, never);
    expect(inThread).toEqual(await processDocument(input));
    await processor.process(request(Buffer.from('Second document.')), never);
    expect(processor.size).toBe(1);
  });

  it('passes the document failures through, typed', async () => {
    const processor = pool();
    await expect(processor.process(request(Buffer.from([0xff, 0xfe, 0x00])), never)).rejects.toThrow(DocumentParseError);
    const error = await processor.process(request(Buffer.from('x'.repeat(50)), 10), never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentLimitError);
    expect(error).toMatchObject({ code: DocumentFailureCode.DocumentTooLarge });
  });

  it('terminates a busy thread when the signal aborts, rejecting with its reason, and keeps working', async () => {
    const processor = pool();
    const controller = new AbortController();
    // Tens of seconds of tokenizing: only terminating the thread stops it.
    const running = processor.process(request(randomLetters(60_000_000)), controller.signal);
    await waitFor(() => processor.size === 1);
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(processor.size).toBe(1); // a fresh thread replaced the terminated one
    await expect(processor.process(request(Buffer.from('After the abort.')), never)).resolves.toMatchObject({ text: 'After the abort.' });
  });

  it('ready() waits for a started, warmed-up thread (the replacement of a terminated one too), and that thread serves the next document', async () => {
    const processor = pool();
    await processor.ready();
    expect(processor.size).toBe(1);
    const controller = new AbortController();
    const running = processor.process(request(randomLetters(60_000_000)), controller.signal);
    controller.abort(new Error('deadline'));
    await expect(running).rejects.toThrow('deadline');
    await processor.ready();
    expect(processor.size).toBe(1);
    await expect(processor.process(request(Buffer.from('Served by the replacement.')), never)).resolves.toMatchObject({ text: 'Served by the replacement.' });
    expect(processor.size).toBe(1);
  });

  it('fails a document that needs more than the thread heap ceiling with document_too_large', async () => {
    const processor = pool(64);
    const error = await processor.process(request(Buffer.from('Some words. '.repeat(4_000_000))), never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentLimitError);
    expect(error).toMatchObject({ code: DocumentFailureCode.DocumentTooLarge, message: expect.stringMatching(/more than 64 MB of memory/) });
    await expect(processor.process(request(Buffer.from('Small enough.')), never)).resolves.toMatchObject({ text: 'Small enough.' });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
