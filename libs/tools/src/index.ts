export type { ResolvedTool, ToolCallOptions, ToolCatalog, ToolDanger, ToolOutcome } from './tools.types';
