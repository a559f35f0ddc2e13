import { Module } from '@nestjs/common';
import { ConversationStore } from './conversation.store';

/** {@link ConversationStore} (PrismaService from the global DbModule). */
@Module({ providers: [ConversationStore], exports: [ConversationStore] })
export class ConversationStoreModule {}
