import { chatCompletionRequestSchema } from '@conduit/contracts';
import type { Resolver } from '@conduit/webhooks';
import { checkImageParts } from './image-parts';

const limits = { maxBytes: 1_024, maxCount: 2 };
const body = (...urls: string[]) =>
  chatCompletionRequestSchema.parse({
    model: 'default',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, ...urls.map((url) => ({ type: 'image_url', image_url: { url } }))] }],
  });
const base64Of = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');
/** A resolver that answers from a table (no DNS in unit tests). */
const resolver =
  (table: Record<string, string>): Resolver =>
  async (host) => {
    const address = table[host];
    if (address === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return [{ address, family: 4 }];
  };

async function failure(promise: Promise<void>): Promise<{ code: string; param?: string | null; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: string; details?: { param?: string | null }; message: string };
    return { code: e.code, param: e.details?.param, message: e.message };
  }
  throw new Error('expected a refusal');
}

describe('checkImageParts', () => {
  const dns = resolver({ 'img.example': '93.184.215.14', 'evil.example': '10.0.0.5' });

  it('accepts base64 images up to the limit and URLs resolving to public addresses', async () => {
    await expect(checkImageParts(body(`data:image/png;base64,${base64Of(1_024)}`, 'https://img.example/cat.png'), limits, dns)).resolves.toBeUndefined();
  });

  it('refuses an image past the decoded size limit with image_too_large naming the part', async () => {
    const refused = await failure(checkImageParts(body(`data:image/jpeg;base64,${base64Of(1_025)}`), limits, dns));
    expect(refused).toMatchObject({ code: 'image_too_large', param: 'messages.0.content.1.image_url.url' });
    expect(refused.message).toContain('at most');
  });

  it('refuses more images than allowed, a type no provider takes, and data that is not base64', async () => {
    const small = `data:image/png;base64,${base64Of(3)}`;
    expect((await failure(checkImageParts(body(small, small, small), limits, dns))).code).toBe('too_many_images');
    expect((await failure(checkImageParts(body(`data:image/svg+xml;base64,${base64Of(3)}`), limits, dns))).code).toBe('invalid_image');
    expect((await failure(checkImageParts(body('data:image/png;base64,@@@@'), limits, dns))).code).toBe('invalid_image');
  });

  it.each([
    ['a private address literal', 'http://192.168.1.10/x.png'],
    ['a host resolving to a private address', 'https://evil.example/x.png'],
    ['cloud metadata', 'http://169.254.169.254/latest'],
    ['a non-http scheme', 'file:///etc/passwd'],
    ['credentials in the URL', 'https://user:pw@img.example/x.png'],
    ['a host that does not resolve', 'https://nowhere.example/x.png'],
  ])('refuses an image URL with %s as invalid_image_url', async (_what, url) => {
    const refused = await failure(checkImageParts(body(url), limits, dns));
    expect(refused.code).toBe('invalid_image_url');
    expect(refused.message).not.toContain('webhook');
  });
});
