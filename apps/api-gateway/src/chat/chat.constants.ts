import type { ImageLimits } from './image-parts';

export const GATEWAY_CHAT_SETTINGS = Symbol('GATEWAY_CHAT_SETTINGS');

export interface GatewayChatSettings {
  orchestratorUrl: string;
  internalToken?: string;
  maxTokensLimit: number;
  connections: number;
  /** Limits on image parts (default {@link DEFAULT_IMAGE_LIMITS}). */
  images?: ImageLimits;
}

/** 5 MiB decoded per image (Anthropic's own limit), 16 images per request. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 5 * 1_048_576, maxCount: 16 };
