import { checkSafeRegex } from '@conduit/contracts';
import { DenyList } from './deny-list';
import { OutputGuard } from './output-guard';
import { StreamingOutputGuard } from './streaming-output-guard';

const secret = 'sk-ant-api03-' + 'Q'.repeat(40);
const answer = `Sure. The configuration uses the key ${secret} for the staging account, so rotate it soon.`;

function stream(guard: StreamingOutputGuard, chunks: string[]): { released: string; blocked: boolean } {
  let released = '';
  let blocked = false;
  for (const c of chunks) {
    const out = guard.push(c);
    released += out.text;
    if (out.blocked) blocked = true;
  }
  const last = guard.end();
  released += last.text;
  return { released, blocked: blocked || last.blocked !== undefined };
}

describe('OutputGuard', () => {
  it('reports PII and secret leaks, deny-listed terms and moderation categories, without the values', () => {
    const guard = new OutputGuard({ denyList: { terms: ['Project Titan'], patterns: ['codename\\s+\\w+'] } });
    const result = guard.checkSync(`Email a@example.com about project  titan, codename falcon. Here is how to make a pipe bomb at home.`);
    expect(result.allowed).toBe(false);
    expect(result.violations.map((v) => `${v.kind}:${v.detail}`)).toEqual([
      'pii:EMAIL',
      'deny_list:project  titan',
      'deny_list:/codename\\s+\\w+/',
      'moderation:weapons',
    ]);
  });

  it('allows a clean answer, and checks nothing it was not asked to', () => {
    expect(new OutputGuard().checkSync('The capital of Australia is Canberra.').allowed).toBe(true);
    expect(new OutputGuard({ pii: [], moderation: [] }).checkSync('a@example.com, how to make a pipe bomb').allowed).toBe(true);
  });

  it('uses the optional classifier after the rules', async () => {
    const guard = new OutputGuard({ classifier: { name: 'stub', detect: async () => ({ verdict: 'injection', score: 0.9, reasons: ['llm:injection'] }) } });
    await expect(guard.check('fine text')).resolves.toEqual({ allowed: false, violations: [{ kind: 'classifier', detail: 'llm:injection', start: 0, end: 9 }] });
  });
});

describe('StreamingOutputGuard', () => {
  it('never releases any part of a planted secret, wherever the chunks split', () => {
    for (let i = 1; i < answer.length; i += 1) {
      for (const size of [1, 3, 7]) {
        const chunks = [answer.slice(0, i), ...(answer.slice(i).match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [])];
        const { released, blocked } = stream(new StreamingOutputGuard(new OutputGuard()), chunks);
        expect(blocked).toBe(true);
        expect(released).not.toContain('sk-ant');
        expect(answer.startsWith(released)).toBe(true);
      }
    }
  });

  it('releases a clean answer whole and in order, holding only the unfinished word', () => {
    const text = 'The Danube flows through ten countries and four capital cities, more than any other river.';
    const guard = new StreamingOutputGuard(new OutputGuard(), { holdBackChars: 16 });
    const first = guard.push(text.slice(0, 40));
    expect(first.text).toBe('The Danube flows through ten countries ');
    const { released, blocked } = stream(guard, [text.slice(40)]);
    expect(blocked).toBe(false);
    expect(first.text + released).toBe(text);
    expect(guard.finishReason).toBeUndefined();
  });

  it('reports content_filter and releases nothing more after a violation', () => {
    const guard = new StreamingOutputGuard(new OutputGuard({ denyList: { terms: ['Project Titan'] } }), { holdBackChars: 8 });
    const out = guard.push('Hello there, this is about Project Titan and more text after it');
    expect(out.blocked?.violations[0]).toMatchObject({ kind: 'deny_list', detail: 'project titan' });
    expect(out.text).toBe('');
    expect(guard.finishReason).toBe('content_filter');
    expect(guard.push(' more').text).toBe('');
    expect(guard.end().text).toBe('');
  });

  it('holds a PEM block until its END line, however long', () => {
    const guard = new StreamingOutputGuard(new OutputGuard(), { holdBackChars: 4 });
    let released = guard.push('Here you go:\n-----BEGIN PRIVATE KEY-----\n').text;
    for (let i = 0; i < 20; i += 1) released += guard.push('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n').text;
    const end = guard.push('-----END PRIVATE KEY-----\nDone.');
    expect(released).not.toContain('BEGIN');
    expect(end.blocked?.violations[0]?.detail).toBe('SECRET');
  });
});

describe('deny-list regex safety', () => {
  it.each(['(a+)+$', '(\\w*x)*', '(a|ab)*c', '(.*){2,}', '\\1', '(?<=x)y', 'a*b*c*d*', 'x'.repeat(300), '['])('refuses %s', (pattern) => {
    expect(checkSafeRegex(pattern).ok).toBe(false);
    expect(() => new DenyList({ patterns: [pattern] })).toThrow(/refused/);
  });

  it.each(['codename\\s+\\w+', '\\bproject\\s+(titan|atlas)\\b', '\\d{3}-\\d{4}', 'acme (internal|secret)', '[a-z]+@corp\\.example'])('accepts %s', (pattern) => {
    expect(checkSafeRegex(pattern)).toEqual({ ok: true });
  });

  it('runs accepted patterns on bounded segments, so a long input stays fast', () => {
    const list = new DenyList({ patterns: ['a+b+c'] });
    const started = process.hrtime.bigint();
    expect(list.match('a'.repeat(50_000) + 'b')).toEqual([]);
    // Not a timing assertion on the budget: a quadratic run over 50k characters would take minutes.
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(30);
  });

  it('matches terms on word boundaries, case-insensitively, across spacing', () => {
    const list = new DenyList({ terms: ['Titan'] });
    expect(list.match('TITAN and titanium').map((m) => m.rule)).toEqual(['titan']);
  });
});
