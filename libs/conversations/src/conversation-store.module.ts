import { Module } from '@nestjs/common';
import { ConversationStore } from './conversation.store';
import { SessionSummaryStore } from './summaries/session-summary.store';

/** {@link ConversationStore} and {@link SessionSummaryStore} (PrismaService from the global DbModule). */
@Module({ providers: [ConversationStore, SessionSummaryStore], exports: [ConversationStore, SessionSummaryStore] })
export class ConversationStoreModule {}
