import type { ChatStreamEvent, ToolCall } from '@conduit/llm';

type ToolCallEvent = Extract<ChatStreamEvent, { type: 'tool_call' }>;

/** The tool calls of a streamed answer, put together from their deltas (by index), so the turn is stored with them. */
export class StreamedToolCalls {
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();

  add(event: ToolCallEvent): void {
    const call = this.calls.get(event.index) ?? { id: '', name: '', arguments: '' };
    if (event.id) call.id = event.id;
    if (event.name) call.name = event.name;
    call.arguments += event.arguments_delta;
    this.calls.set(event.index, call);
  }

  /** The calls in index order; those that never got an id or a name are left out. */
  complete(): ToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([, call]) => (call.id && call.name ? [{ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }] : []));
  }
}
