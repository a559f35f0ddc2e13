import type { HistoryRow } from '@conduit/conversations';
import { summaryCut } from './session-summarizer';

let clock = 0;
const row = (role: HistoryRow['role'], tokens: number, extra: Partial<HistoryRow> = {}): HistoryRow => {
  clock += 1;
  return { id: `m${clock}`, role, content: 'x', toolCalls: null, toolCallId: null, tokens, createdAt: new Date(clock), ...extra };
};

describe('summaryCut (which older messages a summary covers)', () => {
  it('covers whole turns and leaves the newest keepTokens verbatim', () => {
    const rows = [row('user', 100), row('assistant', 100), row('user', 100), row('assistant', 100), row('user', 100), row('assistant', 100)];
    expect(summaryCut(rows, { keepTokens: 200, inputMaxTokens: 10_000, readAll: true })).toBe(4);
    expect(summaryCut(rows, { keepTokens: 250, inputMaxTokens: 10_000, readAll: true })).toBe(4);
    expect(summaryCut(rows, { keepTokens: 350, inputMaxTokens: 10_000, readAll: true })).toBe(2);
    expect(summaryCut(rows, { keepTokens: 1_000, inputMaxTokens: 10_000, readAll: true })).toBe(0);
  });

  it('never splits a tool call from its results', () => {
    const rows = [row('user', 10), row('assistant', 10), row('tool', 10), row('assistant', 10), row('user', 10), row('assistant', 10)];
    // Keeping only the last message would cut after the tool group's first half: the cut falls back to the turn boundary.
    expect(summaryCut(rows, { keepTokens: 10, inputMaxTokens: 10_000, readAll: true })).toBe(4);
    expect(summaryCut(rows, { keepTokens: 30, inputMaxTokens: 10_000, readAll: true })).toBe(0);
  });

  it('takes at most inputMaxTokens (a backlog is caught up over several jobs), but always one turn', () => {
    const rows = [row('user', 100), row('assistant', 100), row('user', 100), row('assistant', 100), row('user', 100)];
    expect(summaryCut(rows, { keepTokens: 0, inputMaxTokens: 250, readAll: false })).toBe(2);
    expect(summaryCut(rows, { keepTokens: 0, inputMaxTokens: 50, readAll: false })).toBe(2);
  });
});
