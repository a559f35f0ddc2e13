export type { ResolvedTool, ToolCallOptions, ToolCatalog, ToolDanger, ToolOutcome } from './tools.types';
export { ToolConfirmationStore } from './confirmations/tool-confirmation.store';
export type { ClaimOutcome, NewToolConfirmation, PendingToolCall, ToolConfirmationDecider, ToolDecision } from './confirmations/tool-confirmation.store';
export { ToolConfirmationStoreModule } from './confirmations/tool-confirmation-store.module';
