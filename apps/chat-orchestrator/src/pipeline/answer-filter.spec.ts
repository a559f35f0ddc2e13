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
});
