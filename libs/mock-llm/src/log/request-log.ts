import type { RecordedImage } from '../core/request-images';

export type MockWire = 'openai' | 'anthropic';

/** One request as seen by the mock; mutated in place while the request runs. */
export interface RequestLogEntry {
  id: string;
  wire: MockWire;
  method: string;
  path: string;
  model: string | null;
  stream: boolean;
  /** HTTP status sent, or null while nothing was sent (or never will be: timeout fault, cut). */
  status: number | null;
  /** Injected fault, e.g. "status:429", "timeout", "cut:3", or null. */
  fault: string | null;
  /** Id of the fault rule that applied, if any. */
  rule_id: string | null;
  /** Epoch milliseconds. */
  started_at: number;
  ended_at: number | null;
  prompt_tokens: number;
  /**
   * The text the upstream received, so a test can check what reached the provider (placeholders
   * instead of personal data, a blocked request never arriving): chat calls, the system prompt and
   * every message's text, one per line; embeddings, the inputs. Empty for other calls.
   */
  prompt_text: string;
  /**
   * The answer format the request asked for: OpenAI `response_format.type`; Anthropic
   * `output_config.format.type`, else `tool:<name>` for a forced tool (`tool_choice: {type: "tool"}`,
   * how Conduit asks Anthropic for JSON); null when none.
   */
  output_format: string | null;
  /** Prompt tokens reported as read from the simulated provider prompt cache. */
  cache_read_tokens: number;
  /** Prompt tokens reported as written to it (Anthropic `cache_creation_input_tokens`). */
  cache_write_tokens: number;
  /** Anthropic: how many blocks (tools, system, messages) carried `cache_control`. */
  cache_control_blocks: number;
  /** Completion tokens the full response would carry. */
  completion_tokens: number;
  /** Completion tokens actually written (streams: deltas sent before the end or a cut). */
  tokens_sent: number;
  /** The client closed the connection before the response finished. */
  client_disconnected: boolean;
  /** Image parts the request carried (URLs, or media type and size of inline data), in order. */
  images: RecordedImage[];
  /** Carried parameters (`seed`, `logprobs`, `n`, `metadata`, `reasoning_effort`, `output_config`, ...) as sent; absent ones left out. */
  params: Record<string, unknown>;
}

/** Fixed-size ring buffer of the most recent requests. */
export class RequestLog {
  private readonly slots: (RequestLogEntry | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<RequestLogEntry | undefined>(capacity);
  }

  add(entry: RequestLogEntry): void {
    if (this.capacity === 0) return;
    this.slots[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Oldest first; `limit` keeps only the most recent entries. */
  list(limit?: number): RequestLogEntry[] {
    const count = limit === undefined ? this.size : Math.min(limit, this.size);
    const out: RequestLogEntry[] = [];
    for (let k = this.size - count; k < this.size; k++) {
      const entry = this.slots[(this.next - this.size + k + this.capacity) % this.capacity];
      if (entry) out.push(entry);
    }
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.next = 0;
    this.size = 0;
  }
}
