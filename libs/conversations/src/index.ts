export { ConversationStore } from './conversation.store';
export type { ConversationOwner, Page, RateOutcome, SessionWithCount } from './conversation.store';
export { ConversationStoreModule } from './conversation-store.module';
export type { ChatTurn, TurnContext } from './chat-turn';
export type { HistoryRow } from './conversation.sql';
