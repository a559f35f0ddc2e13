import { DocumentMediaType } from '@conduit/contracts';
import { sniffMediaType } from './media-type.sniffer';

const detect = (content: string | Uint8Array) => sniffMediaType(typeof content === 'string' ? Buffer.from(content) : content);

describe('sniffMediaType', () => {
  it('recognises PDF by its header, also after a little leading junk', () => {
    expect(detect('%PDF-1.7\n%âãÏÓ\n1 0 obj')).toEqual({ ok: true, mediaType: DocumentMediaType.Pdf });
    expect(detect(`\r\n   %PDF-1.4\n`)).toEqual({ ok: true, mediaType: DocumentMediaType.Pdf });
  });

  it('recognises HTML by its start, not by extension', () => {
    for (const html of ['<!DOCTYPE html><html><body>x</body></html>', '\uFEFF  <html lang="en">', '<?xml version="1.0"?>\n<html>', '<div>hi</div>', '<!-- c --><p>x</p>', '<P>upper</P>']) {
      expect(detect(html)).toEqual({ ok: true, mediaType: DocumentMediaType.Html });
    }
    // Mentions of tags later in text do not make it HTML.
    expect(detect('Use the <div> element to group content.')).toEqual({ ok: true, mediaType: DocumentMediaType.Text });
    expect(detect('<divider> is not a tag we sniff')).toEqual({ ok: true, mediaType: DocumentMediaType.Text });
  });

  it('tells Markdown from plain text', () => {
    expect(detect('# Title\n\nSome text.')).toEqual({ ok: true, mediaType: DocumentMediaType.Markdown });
    expect(detect('Intro\n\n```js\ncode()\n```')).toEqual({ ok: true, mediaType: DocumentMediaType.Markdown });
    expect(detect('Shopping:\n- eggs\n- milk\nSee [the list](https://example.com).')).toEqual({ ok: true, mediaType: DocumentMediaType.Markdown });
    expect(detect('Just a note.\n- one dash line only')).toEqual({ ok: true, mediaType: DocumentMediaType.Text });
    expect(detect('Plain prose, café, 東京, emoji 😀.\r\nSecond line.')).toEqual({ ok: true, mediaType: DocumentMediaType.Text });
  });

  it('refuses binary content disguised as text', () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
    expect(detect(png)).toEqual({ ok: false, reason: 'the file looks like a PNG image' });
    expect(detect(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]))).toMatchObject({ ok: false, reason: expect.stringMatching(/ZIP/) });
    // Random bytes: not UTF-8.
    const noise = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 17) % 256));
    expect(detect(noise)).toEqual({ ok: false, reason: 'the file is neither a PDF nor UTF-8 text' });
    // Valid UTF-8 but with NUL bytes or many control characters.
    expect(detect('hello\u0000world')).toMatchObject({ ok: false, reason: expect.stringMatching(/NUL/) });
    expect(detect(`text${'\u0001\u0002\u0003'.repeat(10)}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/control/) });
    // A PDF header after binary bytes is not a PDF.
    expect(detect(Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from('%PDF-1.4')]))).toMatchObject({ ok: false });
  });

  it('refuses UTF-16 text (only UTF-8 is accepted)', () => {
    expect(detect(Buffer.from('\uFEFFhello', 'utf16le'))).toEqual({ ok: false, reason: 'the file looks like a UTF-16 text' });
  });

  it('accepts tabs, form feeds and a few stray control characters in text', () => {
    expect(detect('col1\tcol2\fpage 2\u0007 bell')).toEqual({ ok: true, mediaType: DocumentMediaType.Text });
  });
});
