import type { ChatCompletion, ChatStreamEvent, FinishReason, TokenUsage, ToolCall } from '@conduit/llm';

/** OpenAI's finish reasons; ours add `cancelled`/`error`, which never reach a completed response. */
function openAiFinish(reason: FinishReason): string {
  return reason === 'cancelled' || reason === 'error' ? 'stop' : reason;
}

export function openAiUsage(usage: TokenUsage) {
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.input_tokens + usage.output_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens },
  };
}

export function completionResponse(id: string, model: string, created: number, completion: ChatCompletion) {
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: completion.tool_calls?.length && !completion.content ? null : completion.content,
          ...(completion.tool_calls?.length ? { tool_calls: completion.tool_calls } : {}),
        },
        finish_reason: openAiFinish(completion.finish_reason),
        logprobs: null,
      },
    ],
    usage: openAiUsage(completion.usage),
  };
}

/** Builds `chat.completion.chunk` objects for one stream. */
export class ChunkWriter {
  private sentRole = false;

  constructor(
    private readonly id: string,
    private readonly model: string,
    private readonly created: number,
  ) {}

  private chunk(delta: Record<string, unknown>, finish: string | null, usage?: unknown) {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: usage === undefined ? [{ index: 0, delta, finish_reason: finish, logprobs: null }] : [],
      ...(usage === undefined ? {} : { usage }),
    };
  }

  /** The chunk(s) for one normalised stream event; `done` yields the finish chunk. */
  forEvent(event: ChatStreamEvent): unknown {
    const role = this.sentRole ? {} : { role: 'assistant' };
    this.sentRole = true;
    switch (event.type) {
      case 'text':
        return this.chunk({ ...role, content: event.text }, null);
      case 'tool_call':
        return this.chunk(
          {
            ...role,
            tool_calls: [
              {
                index: event.index,
                ...(event.id ? { id: event.id, type: 'function' } : {}),
                function: { ...(event.name ? { name: event.name } : {}), arguments: event.arguments_delta },
              },
            ],
          },
          null,
        );
      case 'done':
        return this.chunk(role, openAiFinish(event.finish_reason));
    }
  }

  usageChunk(usage: TokenUsage): unknown {
    return this.chunk({}, null, openAiUsage(usage));
  }
}

/** A stream's tool calls, assembled from their `tool_call` deltas (the answer's message records them). */
export class ToolCallCollector {
  private readonly byIndex = new Map<number, ToolCall>();

  add(event: Extract<ChatStreamEvent, { type: 'tool_call' }>): void {
    const call = this.byIndex.get(event.index) ?? { id: '', type: 'function' as const, function: { name: '', arguments: '' } };
    if (event.id) call.id = event.id;
    if (event.name) call.function.name = event.name;
    call.function.arguments += event.arguments_delta;
    this.byIndex.set(event.index, call);
  }

  calls(): ToolCall[] {
    return [...this.byIndex.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  }
}
