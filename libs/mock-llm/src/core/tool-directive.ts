/**
 * Tool-call directives (issue 22's tool loop): `[[tool:NAME {json}]]` in the last user message
 * makes the mock answer with a call of tool NAME (when the request offers it) with those
 * arguments, as long as the conversation does not yet end with a tool result; once it does, the
 * mock answers in text that includes the result. `[[tool*:NAME {json}]]` calls the tool again after
 * every result (a model that never stops calling tools). Several directives make one step call
 * several tools (parallel calls).
 */
const DIRECTIVE = /\[\[tool(\*?):([A-Za-z0-9_.-]+)(?:\s+(\{.*?\}))?\]\]/g;

export interface DirectedToolCall {
  name: string;
  arguments: string;
}

/** The calls the directives of `lastUserText` ask for, given the offered tools and whether the last message is a tool result. */
export function directedToolCalls(lastUserText: string, toolNames: readonly string[], afterToolResult: boolean): DirectedToolCall[] {
  const calls: DirectedToolCall[] = [];
  for (const match of lastUserText.matchAll(DIRECTIVE)) {
    const [, repeat, name, args] = match;
    if (name === undefined || !toolNames.includes(name)) continue;
    if (afterToolResult && repeat !== '*') continue;
    calls.push({ name, arguments: args ?? '{}' });
  }
  return calls;
}

/** The text a tool result is answered with: `tool result: <result>`, so a test can find the result in the answer. */
export function toolResultPrompt(results: readonly string[]): string {
  return `tool result: ${results.join(' | ')}`;
}
