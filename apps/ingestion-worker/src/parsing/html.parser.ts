import { Parser } from 'htmlparser2';
import { DocumentFailureCode, DocumentLimitError } from '../processing/document-limits';

/** Elements whose content is never document text. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'head', 'svg', 'math', 'iframe', 'object', 'canvas', 'select', 'button']);
/** Page furniture: navigation, site footers, sidebars, forms. */
const BOILERPLATE = new Set(['nav', 'footer', 'aside', 'form', 'dialog']);
const BOILERPLATE_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'menu', 'menubar']);
/** Elements that start and end a paragraph-like block. */
const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'ul', 'ol', 'dl', 'table', 'blockquote', 'pre', 'figure',
  'figcaption', 'address', 'details', 'summary', 'hr', 'caption', 'fieldset',
]);
const LINES = new Set(['br', 'tr', 'dt', 'dd']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/**
 * HTML → plain text with a little Markdown structure, in one streaming pass (no DOM): headings
 * become `#` lines and list items `- ` lines, so the chunker can split at them like Markdown.
 * Scripts, styles, `<head>` and page furniture (`nav`, `footer`, `aside`, forms, site-level
 * `header`, ARIA navigation/banner/contentinfo roles, `hidden` / `aria-hidden` elements) are dropped.
 * Entities are decoded; whitespace is collapsed except for the line structure of `<pre>`.
 *
 * More than `maxDepth` open elements at once fails with {@link DocumentLimitError}: htmlparser2
 * keeps its open elements in an array it shifts at every tag, so each tag costs the depth.
 */
export function htmlToText(html: string, options: { maxDepth?: number } = {}): string {
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const out: string[] = [];
  const stack: { name: string; skip: boolean }[] = [];
  let skipDepth = 0;
  let preDepth = 0;
  let contentDepth = 0; // inside <article> or <main>: a <header> there is the content's own title block
  // Breaks and prefixes wait for the next visible text, so empty elements add no blank lines.
  let pendingBreak = 0;
  let prefix = '';

  const newline = (count: 1 | 2) => {
    pendingBreak = Math.max(pendingBreak, count);
  };
  const emit = (text: string) => {
    if (text.trim() === '' && (pendingBreak > 0 || out.length === 0)) return;
    if (pendingBreak > 0 && out.length > 0) out.push('\n'.repeat(pendingBreak));
    pendingBreak = 0;
    if (prefix !== '') {
      out.push(prefix);
      prefix = '';
      text = text.replace(/^\s+/, '');
    }
    out.push(text);
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const role = (attributes['role'] ?? '').toLowerCase();
        const skip =
          skipDepth > 0 ||
          SKIPPED.has(name) ||
          BOILERPLATE.has(name) ||
          (name === 'header' && contentDepth === 0) ||
          BOILERPLATE_ROLES.has(role) ||
          'hidden' in attributes ||
          attributes['aria-hidden'] === 'true';
        if (!VOID.has(name)) {
          stack.push({ name, skip });
          if (stack.length > maxDepth) {
            throw new DocumentLimitError(DocumentFailureCode.DocumentTooComplex, `the HTML nests elements more than ${maxDepth} deep (MAX_HTML_DEPTH)`);
          }
        }
        if (skip) {
          if (!VOID.has(name)) skipDepth += 1;
          return;
        }
        if (name === 'article' || name === 'main') contentDepth += 1;
        if (name === 'pre') preDepth += 1;
        const heading = /^h([1-6])$/.exec(name);
        if (heading) {
          newline(2);
          prefix = `${'#'.repeat(Number(heading[1]))} `;
        } else if (name === 'li') {
          newline(1);
          prefix = '- ';
        } else if (BLOCKS.has(name)) {
          newline(2);
        } else if (LINES.has(name)) {
          newline(1);
        } else if (name === 'td' || name === 'th') {
          emit(' ');
        } else if (name === 'img' && typeof attributes['alt'] === 'string' && attributes['alt'].trim() !== '') {
          emit(` ${attributes['alt'].trim()} `);
        }
      },
      ontext(text) {
        if (skipDepth > 0) return;
        emit(preDepth > 0 ? text : text.replace(/\s+/g, ' '));
      },
      onclosetag(name, isImplied) {
        if (VOID.has(name)) return;
        // Pop to the matching element (htmlparser2 reports implied closes too).
        while (stack.length > 0) {
          const top = stack.pop();
          if (!top) break;
          if (top.skip) skipDepth -= 1;
          else {
            if (top.name === 'article' || top.name === 'main') contentDepth -= 1;
            if (top.name === 'pre') preDepth -= 1;
            if (/^h[1-6]$/.test(top.name) || BLOCKS.has(top.name)) newline(2);
            else if (top.name === 'li' || LINES.has(top.name)) newline(1);
          }
          if (top.name === name || isImplied) break;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return out.join('');
}
