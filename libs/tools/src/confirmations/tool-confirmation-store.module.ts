import { Module } from '@nestjs/common';
import { ToolConfirmationStore } from './tool-confirmation.store';

/** {@link ToolConfirmationStore}, for the chat orchestrator (pause, resume). Needs the global DbModule. */
@Module({ providers: [ToolConfirmationStore], exports: [ToolConfirmationStore] })
export class ToolConfirmationStoreModule {}
