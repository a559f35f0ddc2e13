import { moderate, MODERATION_CATEGORIES, ModerationOpeners, type ModerationCategory } from './moderation-rules';
import { OutputGuard, type OutputGuardConfig } from './output-guard';
import { StreamingOutputGuard, type StreamingGuardOptions } from './streaming-output-guard';

/** Streams `text` cut at `cut`, then in pieces of `size`; returns what was released and whether it was blocked. */
function run(config: OutputGuardConfig, text: string, cut: number, size: number, options: StreamingGuardOptions = {}) {
  const guard = new StreamingOutputGuard(new OutputGuard(config), options);
  const chunks = [text.slice(0, cut), ...(text.slice(cut).match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [])];
  let released = '';
  let blocked = false;
  for (const c of chunks) {
    const out = guard.push(c);
    released += out.text;
    blocked ||= out.blocked !== undefined;
  }
  const last = guard.end();
  return { released: released + last.text, blocked: blocked || last.blocked !== undefined };
}

/** Asserts, for every cut point and a few chunk sizes, that the stream is blocked and nothing from `value` on was released. */
function expectWithheld(config: OutputGuardConfig, text: string, value: string, options: StreamingGuardOptions = {}) {
  const at = text.indexOf(value);
  expect(at).toBeGreaterThan(0);
  for (let cut = 1; cut < text.length; cut += 1) {
    for (const size of [1, 2, 5]) {
      const { released, blocked } = run(config, text, cut, size, options);
      expect({ cut, size, blocked }).toEqual({ cut, size, blocked: true });
      expect(text.startsWith(released)).toBe(true);
      expect({ cut, size, released: released.length <= at }).toEqual({ cut, size, released: true });
    }
  }
}

describe('StreamingOutputGuard: what it holds', () => {
  it('releases ordinary words as soon as the next chunk shows they ended', () => {
    const guard = new StreamingOutputGuard(new OutputGuard());
    expect(guard.push('Sure.').text).toBe('');
    expect(guard.push(' Conduit').text).toBe('Sure. ');
    expect(guard.push(' routes each').text).toBe('Conduit routes ');
    expect(guard.end().text).toBe('each');
  });

  it.each([
    ['a phone number in groups', '+44 20 7946 0958'],
    ['a card in groups', '4539 1488 0343 6467'],
    ['an IBAN in groups', 'GB82 WEST 1234 5698 7654 32'],
    ['a UK national insurance number in groups', 'AB 12 34 56 C'],
    ['an SSN', '123-45-6789'],
    ['an email', 'ana.lopez@example.com'],
    ['an IP address', '203.0.113.42'],
    ['an API key', `sk-proj-${'x7'.repeat(14)}`],
  ])('never releases any part of %s, wherever the chunks split', (_name, value) => {
    expectWithheld({}, `Sure, the record says ${value} and nothing else matters here.`, value);
  });

  it('never releases the start of a deny-listed term, wherever the chunks split', () => {
    expectWithheld({ denyList: { terms: ['Project Titan'] } }, 'The roadmap mentions Project  Titan twice.', 'Project');
  });

  it('never releases the start of a moderation match, wherever the chunks split', () => {
    expectWithheld({}, 'Well, here is how to make a pipe bomb at home.', 'how to');
    expectWithheld({}, 'Listen: I will kill you tomorrow.', 'I will');
  });

  it('holds a window for deny-list regexes, whose prefixes it cannot tell', () => {
    expectWithheld({ denyList: { patterns: ['codename\\s+\\w+'] } }, 'Our plan uses codename falcon for now.', 'codename');
  });

  it('holds an opener only until its sentence ends', () => {
    const guard = new StreamingOutputGuard(new OutputGuard());
    expect(guard.push('This is how to install it ').text).toBe('This is ');
    expect(guard.push('on Linux. Then ').text).toBe('how to install it on Linux. Then ');
  });
});

describe('StreamingOutputGuard: stall flush', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('releases an unfinished plain word after the stall time, through onFlush', () => {
    const flushed: string[] = [];
    const guard = new StreamingOutputGuard(new OutputGuard(), { flushAfterMs: 2, onFlush: (c) => flushed.push(c.text) });
    expect(guard.push('Sure.').text).toBe('');
    jest.advanceTimersByTime(1);
    expect(flushed).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(flushed).toEqual(['Sure.']);
    expect(guard.push(' Here').text).toBe(' ');
    jest.advanceTimersByTime(2);
    expect(flushed).toEqual(['Sure.', 'Here']);
    expect(guard.end().text).toBe('');
  });

  it('does not flush a word the next chunk extended before the timer', () => {
    const flushed: string[] = [];
    const guard = new StreamingOutputGuard(new OutputGuard(), { flushAfterMs: 2, onFlush: (c) => flushed.push(c.text) });
    guard.push('Write to ana');
    guard.push('@example');
    jest.advanceTimersByTime(10);
    expect(flushed).toEqual([]);
    expect(guard.push('.com today').blocked?.violations[0]?.detail).toBe('EMAIL');
  });

  it.each(['The key is sk-', 'Call +44', 'Mail ana@', 'Key AKIA', 'Token eyJ', 'Host 10.0'])('never flushes the unfinished token of "%s"', (text) => {
    const flushed: string[] = [];
    const guard = new StreamingOutputGuard(new OutputGuard(), { flushAfterMs: 2, onFlush: (c) => flushed.push(c.text) });
    const now = guard.push(text).text;
    jest.advanceTimersByTime(10);
    const held = text.slice((now + flushed.join('')).length);
    expect(held.endsWith(text.split(' ').pop() as string)).toBe(true);
  });

  it('with flushAfterMs 0 releases a plain word at once, and still withholds structured values', () => {
    const guard = new StreamingOutputGuard(new OutputGuard(), { flushAfterMs: 0 });
    expect(guard.push('Sure.').text).toBe('Sure.');
    expectWithheld({}, 'Sure, the card is 4539 1488 0343 6467 as requested by you.', '4539', { flushAfterMs: 0 });
  });

  it('abort() stops a pending flush', () => {
    const onFlush = jest.fn();
    const guard = new StreamingOutputGuard(new OutputGuard(), { flushAfterMs: 2, onFlush });
    guard.push('Sure');
    guard.abort();
    jest.advanceTimersByTime(10);
    expect(onFlush).not.toHaveBeenCalled();
  });

  it('refuses a positive flushAfterMs without onFlush', () => {
    expect(() => new StreamingOutputGuard(new OutputGuard(), { flushAfterMs: 5 })).toThrow(/onFlush/);
  });
});

describe('moderation openers', () => {
  const samples: Record<ModerationCategory, string[]> = {
    self_harm: ['here is how to kill yourself', 'you should end your life', 'a lethal dose of insulin is about'],
    violence: ["I'm going to stab you", 'we will bomb the school', 'I gonna hurt your family'],
    sexual_minors: ['a 12-year-old in explicit images', 'naked pictures of minors', 'schoolgirl porn'],
    weapons: ['a recipe for napalm', 'the synthesis of sarin gas', 'combine ammonium nitrate with diesel fuel'],
    hate: ['all refugees are vermin', 'exterminate the gypsies'],
  };

  it.each(MODERATION_CATEGORIES)('every %s match starts at an opener the streaming guard holds', (category) => {
    const openers = new ModerationOpeners([category]);
    for (const text of samples[category]) {
      const matches = moderate(text, [category]);
      expect(matches.length).toBeGreaterThan(0);
      for (const m of matches) expect(openers.start(text.slice(0, m.end - 1))).toBeLessThanOrEqual(m.start);
    }
  });
});
