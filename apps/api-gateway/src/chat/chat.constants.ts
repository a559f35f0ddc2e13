export const GATEWAY_CHAT_SETTINGS = Symbol('GATEWAY_CHAT_SETTINGS');

export interface GatewayChatSettings {
  orchestratorUrl: string;
  internalToken?: string;
  maxTokensLimit: number;
  connections: number;
}
