import { createLogScrubber, pinoScrubHooks } from './log-scrubber';

describe('log scrubber', () => {
  const scrub = createLogScrubber();

  it('scrubs PII by value anywhere in a serialised log line and keeps it valid JSON', () => {
    const line = JSON.stringify({ level: 'info', time: '2026-12-07T10:11:12.123Z', msg: 'user ana@example.com paid with 4539 1488 0343 6467', phone: 4155550132, note: 'call +44 20 7946 0958' });
    const out = scrub(line);
    expect(out).not.toMatch(/ana@example\.com|4539 1488|7946 0958/);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(parsed.msg).toBe('user [redacted:email] paid with [redacted:card]');
    expect(parsed.time).toBe('2026-12-07T10:11:12.123Z');
  });

  it('always scrubs secrets, even when no type is chosen', () => {
    const scrubSecretsOnly = createLogScrubber({ types: [] });
    expect(scrubSecretsOnly('key=sk-proj-abcdefghijklmnopqrstuvwx0123 mail=a@example.com')).toBe('key=[redacted:secret] mail=a@example.com');
  });

  it('returns a line without candidate characters unchanged (the same string)', () => {
    const line = '{"level":"info","msg":"request completed"}';
    expect(scrub(line)).toBe(line);
  });

  it('plugs into pino as a streamWrite hook', () => {
    expect(pinoScrubHooks(scrub).hooks.streamWrite('mail a@example.com')).toBe('mail [redacted:email]');
  });
});
