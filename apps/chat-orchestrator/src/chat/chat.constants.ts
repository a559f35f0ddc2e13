import type { HistoryLimits } from './conversations.service';

export const CHAT_SETTINGS = Symbol('CHAT_SETTINGS');

export interface ChatSettings {
  history: HistoryLimits;
  /** When set, the gateway must present it in `x-conduit-internal-token`. */
  internalToken?: string;
}
