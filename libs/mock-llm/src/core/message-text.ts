import { countTokens } from './token-count';

/** Message content as both wires send it: a string, or an array of typed parts/blocks. */
export type MessageContent = string | readonly { type: string; text?: string }[] | null | undefined;

/** The text of a message's content (text parts joined by a space; other parts ignored). */
export function contentText(content: MessageContent): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  let text = '';
  for (const part of content) {
    if (part.type !== 'text' || part.text === undefined) continue;
    text = text === '' ? part.text : `${text} ${part.text}`;
  }
  return text;
}

/** Tokens in a message's text, without building the joined string. */
export function contentTokens(content: MessageContent): number {
  if (typeof content === 'string') return countTokens(content);
  if (!content) return 0;
  let tokens = 0;
  for (const part of content) {
    if (part.type === 'text' && part.text !== undefined) tokens += countTokens(part.text);
  }
  return tokens;
}

/** Text of the last message with role "user" ('' when there is none). */
export function lastUserText(messages: readonly { role: string; content?: MessageContent }[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') return contentText(messages[i].content);
  }
  return '';
}
