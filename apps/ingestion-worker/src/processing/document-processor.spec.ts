import { chunkText } from '../chunking/recursive-chunker';
import { cl100kTokens } from '../chunking/tokenizer';
import { DocumentParseError } from '../parsing/document-parse.exception';
import { cleanText } from '../parsing/text-cleaner';
import { articleText } from '@conduit/testing';
import { buildPdf } from '@conduit/testing';
import { DocumentFailureCode, DocumentLimitError, DocumentLimits } from './document-limits';
import { processDocument, ProcessingRequest } from './document-processor';

const LIMITS: DocumentLimits = { maxChars: 1_000_000, maxChunks: 1_000, maxHtmlDepth: 32, maxPdfPages: 50 };
const request = (format: ProcessingRequest['format'], content: string | Buffer, limits: Partial<DocumentLimits> = {}): ProcessingRequest => ({
  format,
  bytes: typeof content === 'string' ? Buffer.from(content) : content,
  limits: { ...LIMITS, ...limits },
  chunkTokens: 64,
  overlapTokens: 8,
});

async function limitError(work: Promise<unknown>): Promise<DocumentLimitError> {
  const error = await work.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DocumentLimitError);
  return error as DocumentLimitError;
}

describe('processDocument', () => {
  it('parses, cleans and chunks: offsets into the cleaned text, exact token counts', async () => {
    const raw = articleText(20, 3);
    const processed = await processDocument(request('text', raw));
    const expected = chunkText(cleanText(raw), { chunkTokens: 64, overlapTokens: 8, count: cl100kTokens });
    expect(processed.text).toBe(cleanText(raw));
    expect([...processed.starts]).toEqual(expected.map((c) => c.start));
    expect([...processed.ends]).toEqual(expected.map((c) => c.end));
    expect([...processed.tokens]).toEqual(expected.map((c) => c.tokens));
  });

  it('refuses more extracted characters than MAX_DOCUMENT_CHARS, for text and for PDF (checked page by page)', async () => {
    const text = await limitError(processDocument(request('text', 'x'.repeat(2_001), { maxChars: 2_000 })));
    expect(text).toMatchObject({ code: DocumentFailureCode.DocumentTooLarge, message: 'the document has more than 2000 characters of text (MAX_DOCUMENT_CHARS)' });
    const pdf = buildPdf(Array.from({ length: 30 }, (_, n) => Array.from({ length: 10 }, () => `Page ${n} line with some words on it.`)));
    expect(await limitError(processDocument(request('pdf', pdf, { maxChars: 2_000 })))).toMatchObject({ code: DocumentFailureCode.DocumentTooLarge });
    await expect(processDocument(request('text', 'x'.repeat(2_000), { maxChars: 2_000 }))).resolves.toMatchObject({ text: 'x'.repeat(2_000) });
  });

  it('refuses a text that makes more chunks than MAX_DOCUMENT_CHUNKS', async () => {
    const error = await limitError(processDocument(request('text', articleText(60, 1), { maxChunks: 3 })));
    expect(error).toMatchObject({ code: DocumentFailureCode.DocumentTooLarge, message: 'the document makes more than 3 chunks (MAX_DOCUMENT_CHUNKS)' });
  });

  it('refuses HTML nested deeper than MAX_HTML_DEPTH, and reads HTML up to it', async () => {
    const nested = (depth: number) => `<html><body>${'<div>'.repeat(depth)}<p>Deep text.</p>${'</div>'.repeat(depth)}</body></html>`;
    const error = await limitError(processDocument(request('html', nested(100_000))));
    expect(error).toMatchObject({ code: DocumentFailureCode.DocumentTooComplex, message: 'the HTML nests elements more than 32 deep (MAX_HTML_DEPTH)' });
    await expect(processDocument(request('html', nested(29)))).resolves.toMatchObject({ text: 'Deep text.' });
  });

  it('keeps parse failures as parse failures', async () => {
    await expect(processDocument(request('text', Buffer.from([0x61, 0xff])))).rejects.toThrow(new DocumentParseError('the text is not valid UTF-8'));
  });
});
