import { ChatCompletionRequest, imagesOf } from '@conduit/contracts';
import { assertWebhookUrlAllowed, systemResolver, WebhookTargetError, type Resolver, type WebhookTargetPolicy } from '@conduit/webhooks';
import { ChatErrorCode, ChatException } from './chat.exception';

/** Limits on the images of one chat request (`IMAGE_MAX_BYTES`, `IMAGE_MAX_COUNT`). */
export interface ImageLimits {
  /** Decoded bytes of one base64 image. */
  maxBytes: number;
  /** Images in one request, all messages together. */
  maxCount: number;
}

/** The image types every provider that takes images accepts inline. */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
const DATA_URL = /^data:([^;,]*);base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
export const MAX_IMAGE_URL_LENGTH = 2_048;

/**
 * Image URLs are fetched by the provider, never by Conduit; they pass the webhooks' SSRF check
 * anyway (http or https, no credentials, the host resolving only to public addresses), because a
 * self-hosted OpenAI-compatible server fetches them from inside the deployment's network.
 */
export const IMAGE_URL_POLICY: WebhookTargetPolicy = { allowHttp: true, allowedCidrs: [] };

function bytesOfBase64(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

function mib(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(bytes % 1_048_576 === 0 ? 0 : 1)} MiB`;
}

/**
 * Checks the image parts of a chat request before anything is reserved or sent: at most
 * `maxCount` images; a `data:` URL is base64 of png, jpeg, gif or webp, at most `maxBytes`
 * decoded (400 `image_too_large`); any other URL is http(s) and points at a public address
 * (400 `invalid_image_url`).
 */
export async function checkImageParts(body: ChatCompletionRequest, limits: ImageLimits, resolver: Resolver = systemResolver): Promise<void> {
  let count = 0;
  const urls: { url: string; param: string }[] = [];
  for (const [index, message] of body.messages.entries()) {
    if (message.role !== 'user' || typeof message.content === 'string') continue;
    for (const [part, item] of message.content.entries()) {
      if (item.type !== 'image_url') continue;
      count += 1;
      const param = `messages.${index}.content.${part}.image_url.url`;
      if (count > limits.maxCount) {
        throw new ChatException(ChatErrorCode.TooManyImages, `A request may carry at most ${limits.maxCount} images.`, { param });
      }
      const { url } = item.image_url;
      const data = DATA_URL.exec(url);
      if (data === null) {
        urls.push({ url, param });
        continue;
      }
      const mediaType = data[1].toLowerCase();
      if (!(IMAGE_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
        throw new ChatException(ChatErrorCode.InvalidImage, `Image data must be one of ${IMAGE_MEDIA_TYPES.join(', ')}; got "${mediaType.slice(0, 64)}".`, { param });
      }
      const payload = url.slice(data[0].length);
      const bytes = bytesOfBase64(payload);
      if (bytes > limits.maxBytes) {
        throw new ChatException(ChatErrorCode.ImageTooLarge, `The image is ${mib(bytes)} decoded; images may be at most ${mib(limits.maxBytes)}.`, { param });
      }
      if (payload.length % 4 !== 0 || !BASE64.test(payload)) {
        throw new ChatException(ChatErrorCode.InvalidImage, 'Image data is not valid base64.', { param });
      }
    }
  }
  // Typically one or two URLs: resolved together.
  await Promise.all(urls.map(({ url, param }) => checkImageUrl(url, param, resolver)));
}

async function checkImageUrl(raw: string, param: string, resolver: Resolver): Promise<void> {
  if (raw.length > MAX_IMAGE_URL_LENGTH) {
    throw new ChatException(ChatErrorCode.InvalidImageUrl, `Image URLs are at most ${MAX_IMAGE_URL_LENGTH} characters (send large images as base64 data: URLs).`, { param });
  }
  try {
    await assertWebhookUrlAllowed(raw, IMAGE_URL_POLICY, resolver);
  } catch (error) {
    if (!(error instanceof WebhookTargetError)) throw error;
    // The webhooks' messages name their own field; the check is the same.
    const message = error.message.replace(/webhook_url/g, 'image URL').replace('webhooks only go to public addresses', 'image URLs must point at public addresses');
    throw new ChatException(ChatErrorCode.InvalidImageUrl, `${message.charAt(0).toUpperCase()}${message.slice(1)}.`, { param });
  }
}

/** How many images a request carries (every message). */
export function imageCount(body: Pick<ChatCompletionRequest, 'messages'>): number {
  return body.messages.reduce((sum, message) => sum + (message.role === 'user' ? imagesOf(message.content).length : 0), 0);
}
