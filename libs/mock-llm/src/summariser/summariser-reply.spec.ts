import { summariserReply } from './summariser-reply';

const prompt = (previous: string, ...messages: string[]) => ['Conduit session summariser.', 'Previous summary:', previous, '', 'New messages:', ...messages].join('\n');

describe('summariserReply (mock-llm summariser mode)', () => {
  it('answers a summariser prompt with the user points of the new messages, deterministically', () => {
    const text = prompt('(none)', 'user: My cat is called Miso', 'assistant: Nice name', 'user: I live in Lyon');
    expect(summariserReply(text)).toBe('Summary: user: My cat is called Miso | user: I live in Lyon');
    expect(summariserReply(text)).toBe(summariserReply(text));
  });

  it('keeps the previous summary’s points first (incremental summaries)', () => {
    expect(summariserReply(prompt('Summary: user: My cat is called Miso', 'user: And a dog'))).toBe('Summary: user: My cat is called Miso | user: And a dog');
  });

  it('cuts each point at 80 characters and the summary at 2,000', () => {
    const reply = summariserReply(prompt('(none)', ...Array.from({ length: 60 }, (_, i) => `user: ${String(i).padStart(2, '0')}${'x'.repeat(200)}`))) ?? '';
    expect(reply.length).toBe(2_000);
    expect(reply.startsWith(`Summary: user: 00${'x'.repeat(78)} | user: 01`)).toBe(true);
  });

  it('leaves any other text alone', () => {
    expect(summariserReply('Summarise this please')).toBeUndefined();
    expect(summariserReply('Hello\nConduit session summariser.\n')).toBeUndefined();
  });
});
