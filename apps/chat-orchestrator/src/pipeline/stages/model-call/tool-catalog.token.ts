/** The tenant's tool registry as the tool loop sees it (`ToolCatalog` of @conduit/tools; `ToolRegistry` in the app). */
export const TOOL_CATALOG = Symbol('TOOL_CATALOG');
