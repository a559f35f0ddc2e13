import type { ChatTurn as StoredTurn } from '@conduit/conversations';
import type { ChatContext } from './chat-context';

/** One finished exchange, as it will be stored and billed. */
export type ChatTurn = StoredTurn<ChatContext>;
