import { checkCharacters, DocumentLimitError } from '../processing/document-limits';
import { DocumentParseError } from './document-parse.exception';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.js');

let loaded: PdfJs | undefined;

/**
 * pdf.js (legacy CommonJS build, run in-process through its "fake worker"). At load it probes
 * for canvas classes it only needs for rendering and warns on stdout when they are missing; text
 * extraction never renders, so placeholders are installed for the duration of the load only.
 */
function pdfjs(): PdfJs {
  if (loaded) return loaded;
  const globals = globalThis as Record<string, unknown>;
  const placeholders = ['DOMMatrix', 'Path2D'].filter((name) => globals[name] === undefined);
  for (const name of placeholders) globals[name] = class {};
  try {
    loaded = require('pdfjs-dist/legacy/build/pdf.js') as PdfJs;
  } finally {
    for (const name of placeholders) delete globals[name];
  }
  return loaded;
}

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

/** pdf.js exception classes name themselves; a password or a broken structure never parses later. */
function describePdfError(error: unknown): string {
  const name = (error as { name?: string })?.name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') return 'the PDF is password-protected';
  if (name === 'InvalidPDFException') return `not a valid PDF (${message})`;
  return `the PDF could not be read (${name ? `${name}: ` : ''}${message})`;
}

/**
 * Extracts the text of every page, pages separated by a blank line. `isEvalSupported: false`
 * keeps pdf.js from compiling font programs with `new Function` (the fix for CVE-2024-4367 in
 * this 3.x line); fonts are never loaded from the system. At most `maxPages` pages are read; more
 * than `maxChars` characters fails with {@link DocumentLimitError}.
 */
export async function pdfToText(bytes: Uint8Array, options: { maxPages?: number; maxChars?: number } = {}): Promise<string> {
  const lib = pdfjs();
  let document: Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
  try {
    document = await lib.getDocument({
      // pdf.js transfers (detaches) the buffer it is given: hand it a copy.
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      useSystemFonts: false,
      disableFontFace: true,
      stopAtErrors: false,
      verbosity: 0,
    }).promise;
  } catch (error) {
    throw new DocumentParseError(describePdfError(error));
  }
  try {
    const pages = Math.min(document.numPages, options.maxPages ?? Number.POSITIVE_INFINITY);
    const texts: string[] = [];
    let characters = 0;
    for (let number = 1; number <= pages; number += 1) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      const text = (content.items as TextItemLike[]).map((item) => `${item.str ?? ''}${item.hasEOL ? '\n' : ''}`).join('');
      texts.push(text);
      page.cleanup();
      // Checked per page: a small compressed PDF can hold far more text than its size.
      characters += text.length + 2;
      checkCharacters(characters, options.maxChars);
    }
    return texts.join('\n\n');
  } catch (error) {
    if (error instanceof DocumentLimitError) throw error;
    throw new DocumentParseError(describePdfError(error));
  } finally {
    await document.destroy();
  }
}
