import type { ToolCallInput } from './responses-request';
import { functionCallItem, messageItem, outputText, ResponseSettings, ResponseStatus, ResponseUsage, responseObject, statusOf, usageOf } from './response-object';
import { functionCallItemIdOf, messageItemIdOf } from './response-id';

/** One `chat.completion.chunk` of the orchestrator's stream, as far as a response needs it (or its error frame). */
export interface ChatChunk {
  model?: string;
  choices?: {
    delta?: {
      content?: string | null;
      tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[];
    };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } } | null;
  error?: { code?: string | null; message?: string };
}

export interface ResponseEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}

interface TextItem {
  kind: 'text';
  outputIndex: number;
  text: string;
}

interface CallItem {
  kind: 'call';
  outputIndex: number;
  /** Its position among the answer's function calls (`fc_…_<n>`). */
  position: number;
  call: ToolCallInput;
}

/**
 * Turns the orchestrator's chat completion stream into the Responses API's events, numbered in
 * order: `response.created` and `response.in_progress` first; per output item `output_item.added`,
 * (text) `content_part.added`, `output_text.delta`…, `output_text.done`, `content_part.done`, or
 * (function call) `function_call_arguments.delta`…, `function_call_arguments.done`; then
 * `output_item.done`; and last `response.completed` (`response.incomplete` when the answer was cut
 * by `max_output_tokens` or a content filter, `response.failed` when the stream broke).
 */
export class ResponseEventStream {
  private sequence = 0;
  private readonly items: (TextItem | CallItem)[] = [];
  private text: TextItem | undefined;
  private readonly calls = new Map<number, CallItem>();
  private finishReason: string | null = null;
  private usage: ResponseUsage | null = null;
  private done = false;

  constructor(
    private readonly id: string,
    private readonly settings: ResponseSettings,
    private readonly createdAt: number,
    private model: string,
  ) {}

  /** Whether the stream has had its last event (completed, incomplete or failed). */
  get ended(): boolean {
    return this.done;
  }

  start(): ResponseEvent[] {
    const response = this.snapshot('in_progress', []);
    return [this.event('response.created', { response }), this.event('response.in_progress', { response })];
  }

  /** The events of one chunk of the chat stream (its error frame ends the response as failed). */
  chunk(chunk: ChatChunk): ResponseEvent[] {
    if (chunk.error) return this.fail({ code: chunk.error.code ?? 'server_error', message: chunk.error.message ?? 'The answer failed.' });
    const events: ResponseEvent[] = [];
    if (chunk.model) this.model = chunk.model;
    if (chunk.usage) this.usage = usageOf(chunk.usage.prompt_tokens ?? 0, chunk.usage.completion_tokens ?? 0, chunk.usage.prompt_tokens_details?.cached_tokens ?? 0);
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {};
      if (delta.content) events.push(...this.textDelta(delta.content));
      for (const call of delta.tool_calls ?? []) events.push(...this.callDelta(call));
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    return events;
  }

  /** The chat stream ended (`[DONE]`): every item is done, then the response. */
  end(): ResponseEvent[] {
    if (this.done) return [];
    const events: ResponseEvent[] = this.items.length === 0 ? this.openText() : [];
    const { status, incompleteReason } = statusOf(this.finishReason);
    const itemStatus = status === 'completed' ? 'completed' : 'incomplete';
    for (const item of this.items) {
      if (item.kind === 'text') {
        const common = { item_id: messageItemIdOf(this.id), output_index: item.outputIndex, content_index: 0 };
        events.push(
          this.event('response.output_text.done', { ...common, text: item.text, logprobs: [] }),
          this.event('response.content_part.done', { ...common, part: outputText(item.text) }),
          this.event('response.output_item.done', { output_index: item.outputIndex, item: messageItem(this.id, item.text, itemStatus) }),
        );
      } else {
        events.push(
          this.event('response.function_call_arguments.done', {
            item_id: functionCallItemIdOf(this.id, item.position),
            output_index: item.outputIndex,
            name: item.call.function.name,
            arguments: item.call.function.arguments,
          }),
          this.event('response.output_item.done', { output_index: item.outputIndex, item: functionCallItem(this.id, item.position, item.call, itemStatus) }),
        );
      }
    }
    this.done = true;
    const response = this.snapshot(status, this.outputItems(itemStatus), incompleteReason);
    events.push(this.event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response }));
    return events;
  }

  /** The stream broke (or the orchestrator reported an error in it): `response.failed`. */
  fail(error: { code: string; message: string }): ResponseEvent[] {
    if (this.done) return [];
    this.done = true;
    return [this.event('response.failed', { response: { ...this.snapshot('failed', this.outputItems('incomplete')), error } })];
  }

  private textDelta(text: string): ResponseEvent[] {
    const events = this.text ? [] : this.openText();
    const item = this.text as TextItem;
    item.text += text;
    events.push(
      this.event('response.output_text.delta', { item_id: messageItemIdOf(this.id), output_index: item.outputIndex, content_index: 0, delta: text, logprobs: [] }),
    );
    return events;
  }

  private openText(): ResponseEvent[] {
    const item: TextItem = { kind: 'text', outputIndex: this.items.length, text: '' };
    this.text = item;
    this.items.push(item);
    return [
      this.event('response.output_item.added', { output_index: item.outputIndex, item: messageItem(this.id, '', 'in_progress') }),
      this.event('response.content_part.added', { item_id: messageItemIdOf(this.id), output_index: item.outputIndex, content_index: 0, part: outputText('') }),
    ];
  }

  private callDelta(delta: NonNullable<NonNullable<NonNullable<ChatChunk['choices']>[number]['delta']>['tool_calls']>[number]): ResponseEvent[] {
    const events: ResponseEvent[] = [];
    let item = this.calls.get(delta.index);
    if (!item) {
      item = {
        kind: 'call',
        outputIndex: this.items.length,
        position: this.calls.size,
        call: { id: delta.id ?? '', type: 'function', function: { name: delta.function?.name ?? '', arguments: '' } },
      };
      this.calls.set(delta.index, item);
      this.items.push(item);
      events.push(this.event('response.output_item.added', { output_index: item.outputIndex, item: functionCallItem(this.id, item.position, item.call, 'in_progress') }));
    } else {
      if (delta.id) item.call.id = delta.id;
      if (delta.function?.name) item.call.function.name = delta.function.name;
    }
    const args = delta.function?.arguments;
    if (args) {
      item.call.function.arguments += args;
      events.push(this.event('response.function_call_arguments.delta', { item_id: functionCallItemIdOf(this.id, item.position), output_index: item.outputIndex, delta: args }));
    }
    return events;
  }

  private outputItems(status: 'completed' | 'incomplete'): unknown[] {
    return this.items.map((item) => (item.kind === 'text' ? messageItem(this.id, item.text, status) : functionCallItem(this.id, item.position, item.call, status)));
  }

  private snapshot(status: ResponseStatus, output: unknown[], incompleteReason: 'max_output_tokens' | 'content_filter' | null = null) {
    return responseObject(this.id, this.settings, {
      model: this.model,
      createdAt: this.createdAt,
      completedAt: status === 'completed' ? Math.floor(Date.now() / 1000) : null,
      status,
      incompleteReason,
      output,
      usage: status === 'in_progress' ? null : this.usage,
      error: null,
    });
  }

  private event(type: string, fields: Record<string, unknown>): ResponseEvent {
    return { type, sequence_number: this.sequence++, ...fields };
  }
}

/** One event as an SSE frame (`event:` names its type, as OpenAI sends it). */
export function sseFrame(event: ResponseEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The `data:` payloads of an SSE byte stream, frame by frame (UTF-8 split anywhere). */
export class SseDataReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array | string): string[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const payloads: string[] = [];
    let at = this.buffer.indexOf('\n\n');
    while (at !== -1) {
      const frame = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + 2);
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
        .join('\n');
      if (data !== '') payloads.push(data);
      at = this.buffer.indexOf('\n\n');
    }
    return payloads;
  }
}
