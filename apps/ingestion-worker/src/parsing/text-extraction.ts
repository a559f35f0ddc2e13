import { checkCharacters, type DocumentLimits } from '../processing/document-limits';
import { DocumentParseError } from './document-parse.exception';
import { htmlToText } from './html.parser';
import { pdfToText } from './pdf.parser';
import { cleanText } from './text-cleaner';

/** How a document's bytes are read (from the media type the gateway detected). */
export type DocumentFormat = 'text' | 'markdown' | 'html' | 'pdf';

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
 * Bytes → cleaned text. Throws {@link DocumentParseError} (never retried) for content that cannot
 * be read or holds no text, and `DocumentLimitError` past `limits`. No dependency on the rest of
 * the app: it runs in the document processing thread.
 */
export async function extractText(format: DocumentFormat, bytes: Uint8Array, limits: Partial<DocumentLimits> = {}): Promise<ParsedDocument> {
  let parsed: ParsedDocument;
  switch (format) {
    case 'text':
    case 'markdown': {
      const text = decodeUtf8(bytes);
      checkCharacters(text.length, limits.maxChars);
      parsed = { text: cleanText(text), markdown: format === 'markdown' };
      break;
    }
    case 'html': {
      const text = htmlToText(decodeUtf8(bytes), { maxDepth: limits.maxHtmlDepth });
      checkCharacters(text.length, limits.maxChars);
      parsed = { text: cleanText(text, { trimLineStarts: true }), markdown: true };
      break;
    }
    case 'pdf':
      parsed = {
        text: cleanText(await pdfToText(bytes, { maxPages: limits.maxPdfPages, maxChars: limits.maxChars }), { joinHyphenated: true, trimLineStarts: true }),
        markdown: false,
      };
      break;
    default:
      throw new DocumentParseError(`unsupported document format "${String(format)}"`);
  }
  if (parsed.text === '') {
    throw new DocumentParseError(
      format === 'pdf' ? 'the PDF contains no extractable text (scanned pages need OCR, which is not supported)' : 'the document contains no text',
    );
  }
  return parsed;
}
