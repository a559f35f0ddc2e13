import { DocumentMediaType } from '@conduit/contracts';
import { DocumentParseError } from './document-parse.exception';
import { htmlToText } from './html.parser';
import { pdfToText } from './pdf.parser';
import { cleanText } from './text-cleaner';

/** What parsing produced: the cleaned text every chunk offset refers to. */
export interface ParsedDocument {
  text: string;
  /** The text uses Markdown headings (Markdown as uploaded, or HTML headings converted). */
  markdown: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new DocumentParseError('the text is not valid UTF-8');
  }
}

/**
 * Bytes of a stored document → cleaned text, by the media type detected at upload. Throws
 * {@link DocumentParseError} (never retried) for content that cannot be read or holds no text.
 */
export async function parseDocument(mediaType: string, bytes: Uint8Array, options: { maxPdfPages?: number } = {}): Promise<ParsedDocument> {
  let parsed: ParsedDocument;
  switch (mediaType) {
    case DocumentMediaType.Text:
      parsed = { text: cleanText(decodeUtf8(bytes)), markdown: false };
      break;
    case DocumentMediaType.Markdown:
      parsed = { text: cleanText(decodeUtf8(bytes)), markdown: true };
      break;
    case DocumentMediaType.Html:
      parsed = { text: cleanText(htmlToText(decodeUtf8(bytes)), { trimLineStarts: true }), markdown: true };
      break;
    case DocumentMediaType.Pdf:
      parsed = {
        text: cleanText(await pdfToText(bytes, { maxPages: options.maxPdfPages }), { joinHyphenated: true, trimLineStarts: true }),
        markdown: false,
      };
      break;
    default:
      throw new DocumentParseError(`unsupported media type "${mediaType}"`);
  }
  if (parsed.text === '') {
    throw new DocumentParseError(
      mediaType === DocumentMediaType.Pdf ? 'the PDF contains no extractable text (scanned pages need OCR, which is not supported)' : 'the document contains no text',
    );
  }
  return parsed;
}
