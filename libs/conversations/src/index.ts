export { ConversationStore } from './conversation.store';
export type { ConversationOwner, Page, RateOutcome, SessionWithCount } from './conversation.store';
export { ConversationStoreModule } from './conversation-store.module';
export type { ChatTurn, StoredToolCall, StoredToolResult, TurnContext } from './chat-turn';
export type { HistoryRow } from './conversation.sql';
export { MESSAGE_OVERHEAD_TOKENS, messageTokens, textTokens } from './token-count';
export { SessionSummaryStore } from './summaries/session-summary.store';
export type { SessionSummary } from './summaries/session-summary.store';
export { SessionSummaryProducer, SUMMARY_JOB_DELAY_MS } from './summaries/session-summary.producer';
