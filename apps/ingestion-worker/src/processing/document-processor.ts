import { chunkText, TooManyChunksError } from '../chunking/recursive-chunker';
import { cl100kTokens } from '../chunking/tokenizer';
import { DocumentParseError } from '../parsing/document-parse.exception';
import { DocumentFormat, extractText } from '../parsing/text-extraction';
import { DocumentFailureCode, DocumentLimitError, type DocumentLimits } from './document-limits';

export interface ProcessingRequest {
  format: DocumentFormat;
  bytes: Uint8Array;
  limits: DocumentLimits;
  chunkTokens: number;
  overlapTokens: number;
}

/** The cleaned text and its chunks as offsets into it (chunk n is `text.slice(starts[n], ends[n])`). */
export interface ProcessedDocument {
  text: string;
  markdown: boolean;
  starts: Int32Array<ArrayBuffer>;
  ends: Int32Array<ArrayBuffer>;
  tokens: Int32Array<ArrayBuffer>;
}

/** How a failure crosses the thread boundary: the kind decides whether it is retried. */
export type ProcessingFailure =
  | { kind: 'unparsable'; message: string }
  | { kind: 'limit'; code: DocumentLimitError['code']; message: string }
  | { kind: 'error'; name: string; message: string };

/** parse → clean → chunk: all the CPU work of one document, bounded by `limits`. */
export async function processDocument(request: ProcessingRequest): Promise<ProcessedDocument> {
  const { limits } = request;
  const parsed = await extractText(request.format, request.bytes, limits);
  let chunks;
  try {
    chunks = chunkText(parsed.text, {
      chunkTokens: request.chunkTokens,
      overlapTokens: request.overlapTokens,
      count: cl100kTokens,
      markdown: parsed.markdown,
      maxChunks: limits.maxChunks,
    });
  } catch (error) {
    if (error instanceof TooManyChunksError) {
      throw new DocumentLimitError(DocumentFailureCode.DocumentTooLarge, `the document makes more than ${limits.maxChunks} chunks (MAX_DOCUMENT_CHUNKS)`);
    }
    throw error;
  }
  return {
    text: parsed.text,
    markdown: parsed.markdown,
    starts: Int32Array.from(chunks, (chunk) => chunk.start),
    ends: Int32Array.from(chunks, (chunk) => chunk.end),
    tokens: Int32Array.from(chunks, (chunk) => chunk.tokens),
  };
}

export function toProcessingFailure(error: unknown): ProcessingFailure {
  if (error instanceof DocumentParseError) return { kind: 'unparsable', message: error.message };
  if (error instanceof DocumentLimitError) return { kind: 'limit', code: error.code, message: error.message };
  return { kind: 'error', name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
}

export function fromProcessingFailure(failure: ProcessingFailure): Error {
  switch (failure.kind) {
    case 'unparsable':
      return new DocumentParseError(failure.message);
    case 'limit':
      return new DocumentLimitError(failure.code, failure.message);
    default: {
      const error = new Error(failure.message);
      error.name = failure.name;
      return error;
    }
  }
}
