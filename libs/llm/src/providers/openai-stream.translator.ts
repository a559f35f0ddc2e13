import type OpenAI from 'openai';
import type { ChatStreamEvent } from '../llm.types';
import { fromOpenAiFinishReason, fromOpenAiUsage } from './openai.mapping';
import type { DoneEvent, StreamTranslator } from './provider-call';

/**
 * Chat Completions chunks → neutral events. Tool call deltas keep OpenAI's `index`; `done` comes
 * when the stream ends after a finish reason, carrying the usage chunk `include_usage` adds (zeros
 * when a compatible server sends none).
 */
export class OpenAiStreamTranslator implements StreamTranslator<OpenAI.ChatCompletionChunk> {
  private id: string | undefined;
  private model: string | undefined;
  private finishReason: string | null = null;
  private usage: OpenAI.CompletionUsage | undefined;

  push(chunk: OpenAI.ChatCompletionChunk): ChatStreamEvent[] {
    this.id ??= chunk.id;
    this.model ??= chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    const events: ChatStreamEvent[] = [];
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue;
      const { delta } = choice;
      if (delta.content) events.push({ type: 'text', text: delta.content });
      for (const call of delta.tool_calls ?? []) {
        events.push({
          type: 'tool_call',
          index: call.index,
          ...(call.id ? { id: call.id } : {}),
          ...(call.function?.name ? { name: call.function.name } : {}),
          arguments_delta: call.function?.arguments ?? '',
        });
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    return events;
  }

  finish(): DoneEvent | undefined {
    if (this.finishReason === null) return undefined;
    return {
      type: 'done',
      finish_reason: fromOpenAiFinishReason(this.finishReason),
      usage: fromOpenAiUsage(this.usage),
      ...(this.id !== undefined ? { upstream_id: this.id } : {}),
      ...(this.model !== undefined ? { model: this.model } : {}),
    };
  }
}
