import { DocumentMediaType } from '@conduit/contracts';
import type { DocumentLimits } from '../processing/document-limits';
import { DocumentParseError } from './document-parse.exception';
import { DocumentFormat, extractText, ParsedDocument } from './text-extraction';

export type { ParsedDocument } from './text-extraction';

const FORMATS: Record<DocumentMediaType, DocumentFormat> = {
  [DocumentMediaType.Text]: 'text',
  [DocumentMediaType.Markdown]: 'markdown',
  [DocumentMediaType.Html]: 'html',
  [DocumentMediaType.Pdf]: 'pdf',
};

/** The format a stored document is read as; {@link DocumentParseError} for a media type no parser reads. */
export function documentFormatOf(mediaType: string): DocumentFormat {
  const format = Object.hasOwn(FORMATS, mediaType) ? FORMATS[mediaType as DocumentMediaType] : undefined;
  if (!format) throw new DocumentParseError(`unsupported media type "${mediaType}"`);
  return format;
}

/**
 * Bytes of a stored document → cleaned text, by the media type detected at upload. Throws
 * {@link DocumentParseError} (never retried) for content that cannot be read or holds no text.
 */
export async function parseDocument(mediaType: string, bytes: Uint8Array, limits: Partial<DocumentLimits> = {}): Promise<ParsedDocument> {
  return extractText(documentFormatOf(mediaType), bytes, limits);
}
