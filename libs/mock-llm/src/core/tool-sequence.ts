import { MockHttpError } from './mock-http.exception';

/*
 * The tool-call ordering rules the real APIs enforce, so a client (Conduit's history window) that
 * sends a tool result without its call, or a call without its results, fails against the mock as it
 * would against the provider. The messages are the providers' own wording.
 */

interface OpenAiMessageLike {
  role: string;
  tool_calls?: readonly { id?: unknown }[] | null;
  tool_call_id?: unknown;
}

/** OpenAI Chat Completions: every `tool` message answers a call of the assistant message right before the run of tool messages it is in, and every call is answered. */
export function checkOpenAiToolSequence(messages: readonly OpenAiMessageLike[]): void {
  let pending = new Set<string>();
  let inRun = false;
  for (const [index, message] of messages.entries()) {
    if (message.role === 'tool') {
      const id = typeof message.tool_call_id === 'string' ? message.tool_call_id : '';
      if (!inRun || !pending.has(id)) {
        throw new MockHttpError(400, "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `messages.[${index}].role`);
      }
      pending.delete(id);
      continue;
    }
    if (pending.size > 0) throw unanswered(pending);
    const calls = message.role === 'assistant' && message.tool_calls ? message.tool_calls.flatMap((call) => (typeof call.id === 'string' ? [call.id] : [])) : [];
    pending = new Set(calls);
    inRun = calls.length > 0;
  }
  if (pending.size > 0) throw unanswered(pending);
}

function unanswered(pending: Set<string>): MockHttpError {
  return new MockHttpError(
    400,
    `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(', ')}`,
    'messages',
  );
}

interface AnthropicMessageLike {
  role: string;
  content: string | readonly { type: string; id?: unknown; tool_use_id?: unknown }[];
}

function blockIds(message: AnthropicMessageLike | undefined, type: 'tool_use' | 'tool_result'): string[] {
  if (!message || typeof message.content === 'string') return [];
  const key = type === 'tool_use' ? 'id' : 'tool_use_id';
  return message.content.flatMap((block) => (block.type === type && typeof block[key] === 'string' ? [block[key] as string] : []));
}

/** Anthropic Messages: a `tool_result` must answer a `tool_use` of the message right before it, and every `tool_use` is answered in the next message. */
export function checkAnthropicToolSequence(messages: readonly AnthropicMessageLike[]): void {
  messages.forEach((message, index) => {
    const results = blockIds(message, 'tool_result');
    if (results.length > 0) {
      const uses = new Set(message.role === 'user' ? blockIds(messages[index - 1], 'tool_use') : []);
      const stray = results.filter((id) => !uses.has(id));
      if (stray.length > 0 || message.role !== 'user') {
        throw new MockHttpError(
          400,
          `messages.${index}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.join(', ')}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          `messages.${index}.content`,
        );
      }
    }
    const uses = blockIds(message, 'tool_use');
    if (uses.length > 0 && index < messages.length - 1) {
      const answered = new Set(blockIds(messages[index + 1], 'tool_result'));
      const missing = uses.filter((id) => !answered.has(id));
      if (missing.length > 0) {
        throw new MockHttpError(
          400,
          `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
          `messages.${index}`,
        );
      }
    }
  });
}
