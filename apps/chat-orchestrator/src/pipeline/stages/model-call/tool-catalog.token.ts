import type { ResolvedTool, ToolCatalog, ToolOutcome } from '@conduit/tools';
import { ToolLoopErrorCode, ToolLoopException } from './tool-loop.exception';

/** The tenant's tool registry as the tool loop sees it (`ToolCatalog` of @conduit/tools). */
export const TOOL_CATALOG = Symbol('TOOL_CATALOG');

/**
 * The catalog of a deployment without a tool registry: it knows no tools, so a request naming one
 * is 400 `unknown_tool` and `"all"` is no tools at all. Replaced by the registry where it exists.
 */
export class NoToolCatalog implements ToolCatalog {
  resolve(_tenantId: string, _apiKeyId: string | null, selection: readonly string[] | 'all'): Promise<ResolvedTool[]> {
    if (selection === 'all') return Promise.resolve([]);
    return Promise.reject(new ToolLoopException(ToolLoopErrorCode.UnknownTool, `Unknown tool: ${selection[0] ?? ''}.`, { param: 'conduit.tools' }));
  }

  call(): Promise<ToolOutcome> {
    return Promise.resolve({ ok: false, error: 'unavailable', message: 'no tool registry', durationMs: 0 });
  }
}
