import { DocumentMediaType } from '@conduit/contracts';
import { buildPdf, corruptPdf } from '@conduit/testing';
import { DocumentParseError } from './document-parse.exception';
import { parseDocument } from './document-parser';

describe('parseDocument', () => {
  it('reads text and Markdown as UTF-8 (BOM dropped), Markdown keeps its headings', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# Title\r\n\r\nCafé  au lait.\r\n')]);
    await expect(parseDocument(DocumentMediaType.Markdown, bytes)).resolves.toEqual({ text: '# Title\n\nCafé au lait.', markdown: true });
    await expect(parseDocument(DocumentMediaType.Text, bytes)).resolves.toEqual({ text: '# Title\n\nCafé au lait.', markdown: false });
  });

  it('converts HTML', async () => {
    const parsed = await parseDocument(DocumentMediaType.Html, Buffer.from('<html><body><nav>x</nav><h1>Hi</h1><p>There.</p></body></html>'));
    expect(parsed).toEqual({ text: '# Hi\n\nThere.', markdown: true });
  });

  it('extracts the text of every page of a PDF', async () => {
    const pdf = buildPdf([
      ['Conduit ingestion guide.', 'Documents are chunked (by tokens) and embed-', 'ded in batches.'],
      ['Second page text.'],
    ]);
    const parsed = await parseDocument(DocumentMediaType.Pdf, pdf);
    expect(parsed.text).toBe('Conduit ingestion guide.\nDocuments are chunked (by tokens) and embedded in batches.\n\nSecond page text.');
  });

  it('fails a corrupt PDF with a reason', async () => {
    const error = await parseDocument(DocumentMediaType.Pdf, corruptPdf()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentParseError);
    expect((error as Error).message).toMatch(/PDF/);
  });

  it('fails a PDF without text, invalid UTF-8 and unknown types', async () => {
    await expect(parseDocument(DocumentMediaType.Pdf, buildPdf([[]]))).rejects.toThrow(/no extractable text/);
    await expect(parseDocument(DocumentMediaType.Text, Buffer.from([0x61, 0xff, 0xfe]))).rejects.toThrow(new DocumentParseError('the text is not valid UTF-8'));
    await expect(parseDocument(DocumentMediaType.Text, Buffer.from(' \n\t '))).rejects.toThrow(/no text/);
    await expect(parseDocument('image/png', Buffer.from('x'))).rejects.toThrow(DocumentParseError);
  });
});
