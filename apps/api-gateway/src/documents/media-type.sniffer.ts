import { DocumentMediaType } from '@conduit/contracts';

export type SniffResult = { ok: true; mediaType: DocumentMediaType } | { ok: false; reason: string };

/** Signatures of common binary formats, to name them in the refusal. */
const BINARY_SIGNATURES: { name: string; bytes: number[] }[] = [
  { name: 'PNG image', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: 'ZIP archive (or DOCX/XLSX/EPUB)', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'gzip archive', bytes: [0x1f, 0x8b] },
  { name: 'ELF executable', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'Windows executable', bytes: [0x4d, 0x5a] },
  { name: 'OLE document (DOC/XLS)', bytes: [0xd0, 0xcf, 0x11, 0xe0] },
  { name: 'RIFF container (WebP/WAV/AVI)', bytes: [0x52, 0x49, 0x46, 0x46] },
  { name: 'UTF-16 text', bytes: [0xff, 0xfe] },
  { name: 'UTF-16 text', bytes: [0xfe, 0xff] },
];

/** WHATWG MIME Sniffing, "text/html" patterns: a tag name followed by a space or `>` (case-insensitive). */
const HTML_TAGS = ['!doctype html', 'html', 'head', 'script', 'iframe', 'h1', 'div', 'font', 'table', 'a', 'style', 'title', 'b', 'body', 'br', 'p', '!--'];

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) => signature.every((byte, i) => bytes[at + i] === byte);

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** How much of a file the text checks look at. */
const TEXT_WINDOW = 64 * 1024;

/**
 * Detects what an upload is from its bytes alone (the file name and the client's content type
 * are ignored): PDF by its `%PDF-` header (within the first 1 KiB, as readers allow); otherwise it
 * must be UTF-8 text without NUL bytes or more than 1% other control characters; text is HTML when
 * it starts (after a BOM, whitespace or an XML prolog) like HTML per the WHATWG sniffing patterns,
 * Markdown when it has Markdown structure, plain text otherwise.
 */
export function sniffMediaType(bytes: Uint8Array): SniffResult {
  const head = bytes.subarray(0, 1024);
  const pdfAt = Buffer.from(head).indexOf('%PDF-');
  if (pdfAt !== -1 && !Buffer.from(head.subarray(0, pdfAt)).includes(0)) return { ok: true, mediaType: DocumentMediaType.Pdf };
  const binary = BINARY_SIGNATURES.find((signature) => startsWith(bytes, signature.bytes));
  if (binary) return { ok: false, reason: `the file looks like a ${binary.name}` };

  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'the file is neither a PDF nor UTF-8 text' };
  }
  const sample = text.slice(0, TEXT_WINDOW);
  if (sample.includes('\u0000')) return { ok: false, reason: 'the file contains NUL bytes (binary data)' };
  // eslint-disable-next-line no-control-regex -- counting control characters is the point
  const controls = sample.match(/[\u0001-\u0008\u000E-\u001F\u007F]/g)?.length ?? 0;
  if (controls > Math.max(2, sample.length / 100)) return { ok: false, reason: 'the file contains binary control characters' };

  if (looksLikeHtml(sample)) return { ok: true, mediaType: DocumentMediaType.Html };
  if (looksLikeMarkdown(sample)) return { ok: true, mediaType: DocumentMediaType.Markdown };
  return { ok: true, mediaType: DocumentMediaType.Text };
}

function looksLikeHtml(text: string): boolean {
  let rest = text.replace(/^\uFEFF/, '').trimStart();
  if (rest.startsWith('<?xml')) {
    const end = rest.indexOf('?>');
    if (end === -1) return false;
    rest = rest.slice(end + 2).trimStart();
  }
  const lower = rest.slice(0, 32).toLowerCase();
  return HTML_TAGS.some((tag) => {
    if (!lower.startsWith(`<${tag}`)) return false;
    const next = lower.charAt(tag.length + 1);
    return next === ' ' || next === '>' || next === '\t' || next === '\n' || next === '\r' || (tag === '!--' && next !== '');
  });
}

/**
 * Markdown is plain text with conventions, so this is a heuristic: an ATX heading or a fenced
 * code block counts as Markdown on its own; otherwise at least two different signals (lists,
 * links, emphasis, block quotes, tables, setext underlines) must appear.
 */
function looksLikeMarkdown(text: string): boolean {
  if (/^#{1,6} \S/m.test(text) || /^(```|~~~)/m.test(text)) return true;
  const signals = [
    /^\s{0,3}([-*+]|\d{1,3}[.)]) \S/m, // list items
    /\[[^\]\n]+\]\([^)\s]+\)/, // [links](url)
    /(\*\*|__)\S[^\n]*?\S\1/, // **bold**
    /^\s{0,3}> \S/m, // block quotes
    /^\|.*\|\s*$\n^\|?\s*:?-{3,}/m, // tables
    /^\S.*\n(=+|-+)\s*$/m, // setext headings
    /`[^`\n]+`/, // inline code
  ];
  return signals.filter((signal) => signal.test(text)).length >= 2;
}
