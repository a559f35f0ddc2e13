import { AnswerFilter, FilterChain } from './answer-filter';

/** Upper-cases what it gets. */
const upper: AnswerFilter = { push: (text) => ({ text: text.toUpperCase() }), end: () => ({ text: '' }) };

/** Holds everything until the end; blocks when the text holds `bad`. */
function holding(): AnswerFilter {
  let held = '';
  return {
    push: (text) => {
      held += text;
      return held.includes('BAD') ? { text: '', blocked: true } : { text: '' };
    },
    end: () => ({ text: held }),
  };
}

describe('FilterChain', () => {
  it("feeds each filter's output to the next, in order, and flushes them in order at the end", () => {
    const chain = new FilterChain([upper, holding()]);
    expect(chain.push('ab')).toEqual({ text: '' });
    expect(chain.push('cd')).toEqual({ text: '' });
    expect(chain.end()).toEqual({ text: 'ABCD' });
  });

  it('stops everything once a filter blocks, for the rest of the answer', () => {
    const chain = new FilterChain([upper, holding()]);
    expect(chain.push('a ba')).toEqual({ text: '' });
    expect(chain.push('d one')).toEqual({ text: '', blocked: true });
    expect(chain.isBlocked).toBe(true);
    expect(chain.push('more')).toEqual({ text: '', blocked: true });
    expect(chain.end()).toEqual({ text: '', blocked: true });
  });

  it('passes text straight through an empty chain', () => {
    const chain = new FilterChain([]);
    expect(chain.push('x')).toEqual({ text: 'x' });
    expect(chain.end()).toEqual({ text: '' });
  });

  it('sends text a filter releases between pushes through the filters after it, to the listener', () => {
    let release: ((out: { text: string; blocked?: boolean }) => void) | undefined;
    const flushing: AnswerFilter = { push: () => ({ text: '' }), end: () => ({ text: '' }), listen: (sink) => (release = sink) };
    const chain = new FilterChain([flushing, upper]);
    expect(chain.releasesLater).toBe(true);
    const heard: unknown[] = [];
    chain.onRelease((out) => heard.push(out));
    chain.push('ab');
    release?.({ text: 'ab' });
    expect(heard).toEqual([{ text: 'AB' }]);
    release?.({ text: '', blocked: true });
    expect(heard).toEqual([{ text: 'AB' }, { text: '', blocked: true }]);
    expect(chain.isBlocked).toBe(true);
  });

  it('awaits an asynchronous end, which may still block the answer', async () => {
    const judging = (verdict: boolean): AnswerFilter => ({
      push: (text) => ({ text }),
      end: () => ({ text: '' }),
      endAsync: () => Promise.resolve(verdict ? { text: '!' } : { text: '', blocked: true }),
    });
    const passing = new FilterChain([judging(true), upper]);
    expect(passing.push('ok')).toEqual({ text: 'OK' });
    expect(await passing.endAsync()).toEqual({ text: '!' });
    const failing = new FilterChain([judging(false), upper]);
    failing.push('bad');
    expect(await failing.endAsync()).toEqual({ text: '', blocked: true });
    expect(failing.isBlocked).toBe(true);
    // A chain without asynchronous filters ends the same way either way.
    const plain = new FilterChain([upper, holding()]);
    plain.push('x');
    expect(await plain.endAsync()).toEqual({ text: 'X' });
  });
});
