import { requestImages, requestParams } from './request-images';

describe('requestImages', () => {
  it('records OpenAI image_url parts and Anthropic image blocks, in order, never the data', () => {
    const images = requestImages([
      { content: 'plain text' },
      {
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAAAA==', detail: 'high' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        ],
      },
      {
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'AAAA' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/b.png' } },
          { type: 'image', source: { type: 'file', file_id: 'f' } },
        ],
      },
    ]);
    expect(images).toEqual([
      { source: 'base64', url: null, media_type: 'image/png', bytes: 4, detail: 'high' },
      { source: 'url', url: 'https://example.com/a.png', media_type: null, bytes: null, detail: null },
      { source: 'base64', url: null, media_type: 'image/webp', bytes: 3, detail: null },
      { source: 'url', url: 'https://example.com/b.png', media_type: null, bytes: null, detail: null },
    ]);
  });

  it('records only the carried parameters that were sent', () => {
    expect(requestParams({ model: 'm', seed: 1, n: null, logprobs: false, messages: [] })).toEqual({ seed: 1, logprobs: false });
  });
});
