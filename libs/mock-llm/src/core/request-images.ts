/** An image a request carried, as the request log shows it (never the image data itself). */
export interface RecordedImage {
  /** `url`: the upstream was to fetch it; `base64`: sent inline (OpenAI `data:` URL or Anthropic base64 source). */
  source: 'url' | 'base64';
  /** The URL for `url` sources (first 512 characters); null for inline data. */
  url: string | null;
  /** `image/png`, … for inline data; null for URLs. */
  media_type: string | null;
  /** Decoded size of inline data; null for URLs. */
  bytes: number | null;
  /** OpenAI `detail`, when sent. */
  detail: string | null;
}

type Part = { type: string; [key: string]: unknown };

const DATA_URL = /^data:([^;,]*);base64,/i;

function decodedBytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((base64.length * 3) / 4) - padding);
}

function fromUrl(url: string, detail: string | null): RecordedImage {
  const data = DATA_URL.exec(url);
  if (data === null) return { source: 'url', url: url.slice(0, 512), media_type: null, bytes: null, detail };
  return { source: 'base64', url: null, media_type: data[1].toLowerCase(), bytes: decodedBytes(url.slice(data[0].length)), detail };
}

function recordOf(part: Part): RecordedImage | undefined {
  // OpenAI: {type: "image_url", image_url: {url, detail?}}
  if (part.type === 'image_url') {
    const image = part.image_url as { url?: unknown; detail?: unknown } | undefined;
    if (typeof image?.url !== 'string') return undefined;
    return fromUrl(image.url, typeof image.detail === 'string' ? image.detail : null);
  }
  // Anthropic: {type: "image", source: {type: "base64", media_type, data} | {type: "url", url}}
  if (part.type === 'image') {
    const source = part.source as { type?: unknown; url?: unknown; media_type?: unknown; data?: unknown } | undefined;
    if (source?.type === 'url' && typeof source.url === 'string') return fromUrl(source.url, null);
    if (source?.type === 'base64' && typeof source.data === 'string') {
      return { source: 'base64', url: null, media_type: typeof source.media_type === 'string' ? source.media_type : null, bytes: decodedBytes(source.data), detail: null };
    }
  }
  return undefined;
}

/** Every image part of the messages, in order, for both wires. */
export function requestImages(messages: readonly { content?: unknown }[]): RecordedImage[] {
  const images: RecordedImage[] = [];
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content as Part[]) {
      const record = part !== null && typeof part === 'object' ? recordOf(part) : undefined;
      if (record !== undefined) images.push(record);
    }
  }
  return images;
}

/** The sampling and compatibility parameters a request carried (absent ones left out), for the request log. */
export const RECORDED_PARAMS = [
  'seed',
  'logprobs',
  'top_logprobs',
  'parallel_tool_calls',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'n',
  'metadata',
  'reasoning_effort',
  'output_config',
  'tool_choice',
] as const;

export function requestParams(body: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const name of RECORDED_PARAMS) if (body[name] !== undefined && body[name] !== null) params[name] = body[name];
  return params;
}
