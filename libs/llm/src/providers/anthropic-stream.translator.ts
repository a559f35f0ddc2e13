import type Anthropic from '@anthropic-ai/sdk';
import type { ChatStreamEvent } from '../llm.types';
import { fromAnthropicStopReason, fromAnthropicUsage, type AnthropicUsageCounts } from './anthropic.mapping';
import { STRUCTURED_OUTPUT_TOOL } from './anthropic-structured-output';
import type { DoneEvent, StreamTranslator } from './provider-call';

/**
 * Raw Messages API stream events → neutral events: text deltas, one `tool_call` event when a
 * tool_use block starts (id, name) and one per `input_json_delta`, and `done` after `message_stop`.
 * With `structuredOutput` (the request asked for JSON), the forced answer tool's `input_json_delta`s
 * are the answer's text deltas and its `tool_use` stop is `stop` (see anthropic-structured-output.ts).
 */
export class AnthropicStreamTranslator implements StreamTranslator<Anthropic.RawMessageStreamEvent> {
  private id: string | undefined;
  private model: string | undefined;
  private usage: AnthropicUsageCounts = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  };
  private stopReason: Anthropic.StopReason | null = null;
  private stopped = false;
  /** Content block index → tool call ordinal. */
  private readonly tools = new Map<number, number>();
  /** Content block index of the forced answer tool, once it started. */
  private answerBlock: number | undefined;

  constructor(private readonly options: { structuredOutput?: boolean } = {}) {}

  push(event: Anthropic.RawMessageStreamEvent): ChatStreamEvent[] {
    switch (event.type) {
      case 'message_start':
        this.id = event.message.id;
        this.model = event.message.model;
        this.usage = { ...event.message.usage };
        return [];
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'tool_use' && this.options.structuredOutput === true && block.name === STRUCTURED_OUTPUT_TOOL) {
          this.answerBlock = event.index;
          return [];
        }
        if (block.type === 'tool_use') {
          const index = this.tools.size;
          this.tools.set(event.index, index);
          return [{ type: 'tool_call', index, id: block.id, name: block.name, arguments_delta: '' }];
        }
        if (block.type === 'text' && block.text !== '') return [{ type: 'text', text: block.text }];
        return [];
      }
      case 'content_block_delta': {
        const { delta } = event;
        if (delta.type === 'text_delta') return delta.text === '' ? [] : [{ type: 'text', text: delta.text }];
        if (delta.type === 'input_json_delta' && event.index === this.answerBlock) {
          return delta.partial_json === '' ? [] : [{ type: 'text', text: delta.partial_json }];
        }
        const index = this.tools.get(event.index);
        if (delta.type === 'input_json_delta' && index !== undefined) {
          return [{ type: 'tool_call', index, arguments_delta: delta.partial_json }];
        }
        return [];
      }
      case 'message_delta': {
        this.stopReason = event.delta.stop_reason;
        const { usage } = event;
        this.usage = {
          input_tokens: usage.input_tokens ?? this.usage.input_tokens,
          output_tokens: usage.output_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens ?? this.usage.cache_read_input_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens ?? this.usage.cache_creation_input_tokens,
        };
        return [];
      }
      case 'message_stop':
        this.stopped = true;
        return [];
      default:
        return [];
    }
  }

  finish(): DoneEvent | undefined {
    if (!this.stopped) return undefined;
    const finish = fromAnthropicStopReason(this.stopReason);
    return {
      type: 'done',
      finish_reason: this.answerBlock !== undefined && finish === 'tool_calls' && this.tools.size === 0 ? 'stop' : finish,
      usage: fromAnthropicUsage(this.usage),
      ...(this.id !== undefined ? { upstream_id: this.id } : {}),
      ...(this.model !== undefined ? { model: this.model } : {}),
    };
  }
}
