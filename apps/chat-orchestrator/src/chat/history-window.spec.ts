import type { HistoryRow, SessionSummary } from '@conduit/conversations';
import { messageTokens } from '@conduit/conversations';
import { historyWindow } from './history-window';
import { buildSessionContext, SUMMARY_LABEL } from './session-context';

let clock = Date.parse('2026-12-01T00:00:00.000Z');
let nextId = 0;

/** A stored message; `tokens: null` for a row written before counts were stored. */
function row(role: HistoryRow['role'], content: string, extra: Partial<HistoryRow> = {}): HistoryRow {
  clock += 1_000;
  nextId += 1;
  const toolCalls = extra.toolCalls ?? null;
  return { id: `m${nextId}`, role, content, toolCalls, toolCallId: null, tokens: messageTokens(content, toolCalls), createdAt: new Date(clock), ...extra };
}
const call = (id: string) => ({ id, type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
/** Rows as the history statement returns them: newest first. */
const newestFirst = (rows: HistoryRow[]) => [...rows].reverse();
const roles = (messages: { role: string }[]) => messages.map((m) => m.role).join(' ');
/** Stored tokens of some rows together. */
const tokensOfRows = (...rows: (HistoryRow | undefined)[]) => rows.reduce((sum, r) => sum + (r?.tokens ?? 0), 0);

describe('historyWindow', () => {
  it('counts real tokens (stored counts; rows without one are tokenized), not characters/4', () => {
    const text = 'antidisestablishmentarianism '.repeat(10);
    const rows = [row('user', text), row('assistant', 'ok')];
    const exact = messageTokens(text) + messageTokens('ok');
    // characters/4 would say 73 + 1; the tokenizer disagrees.
    expect(exact).not.toBe(Math.ceil(text.length / 4) + 1);
    expect(historyWindow(newestFirst(rows), { maxTokens: exact, maxMessages: 20 }).messages).toHaveLength(2);
    expect(historyWindow(newestFirst(rows), { maxTokens: exact - 1, maxMessages: 20 }).messages).toHaveLength(1);
    const legacy = rows.map((r) => ({ ...r, tokens: null }));
    expect(historyWindow(newestFirst(legacy), { maxTokens: exact, maxMessages: 20 }).tokens).toBe(exact);
  });

  it('keeps an assistant tool call and its results together, or drops them together', () => {
    const rows = [
      row('user', 'weather in Paris and Rome?'),
      row('assistant', '', { toolCalls: [call('c1'), call('c2')] }),
      row('tool', '18°C', { toolCallId: 'c1' }),
      row('tool', '21°C', { toolCallId: 'c2' }),
      row('assistant', 'Paris 18°C, Rome 21°C.'),
      row('user', 'thanks'),
    ];
    const all = historyWindow(newestFirst(rows), { maxTokens: 10_000, maxMessages: 20 });
    expect(roles(all.messages)).toBe('user assistant tool tool assistant user');
    expect(all.messages[1]).toEqual({ role: 'assistant', content: '', tool_calls: [call('c1'), call('c2')] });
    expect(all.messages[2]).toEqual({ role: 'tool', content: '18°C', tool_call_id: 'c1' });
    // A budget that cuts inside the group drops the whole group, never leaving results without their call.
    const tail = tokensOfRows(rows[4], rows[5]);
    const group = tokensOfRows(...rows.slice(1, 4));
    expect(roles(historyWindow(newestFirst(rows), { maxTokens: tail + group - 1, maxMessages: 20 }).messages)).toBe('assistant user');
    expect(roles(historyWindow(newestFirst(rows), { maxTokens: tail + group, maxMessages: 20 }).messages)).toBe('assistant tool tool assistant user');
    // So does the message limit.
    expect(roles(historyWindow(newestFirst(rows), { maxTokens: 10_000, maxMessages: 4 }).messages)).toBe('assistant user');
  });

  it('never starts with a tool result whose call was not read, and drops calls whose results were never stored', () => {
    const rows = [
      row('tool', 'orphan result', { toolCallId: 'gone' }),
      row('tool', 'an old tool message without a call id', { toolCallId: null }),
      row('user', 'q'),
      row('assistant', '', { toolCalls: [call('c1'), call('c2')] }),
      row('tool', 'only one result', { toolCallId: 'c1' }),
      row('user', 'next question'),
      row('assistant', 'answer'),
    ];
    expect(roles(historyWindow(newestFirst(rows), { maxTokens: 10_000, maxMessages: 20 }).messages)).toBe('user user assistant');
  });

  it('keeps the newest call when the request brings its results, and leaves a call the request repeats to the request', () => {
    const rows = [row('user', 'weather?'), row('assistant', '', { toolCalls: [call('c9')] })];
    expect(roles(historyWindow(newestFirst(rows), { maxTokens: 10_000, maxMessages: 20 }).messages)).toBe('user');
    expect(roles(historyWindow(newestFirst(rows), { maxTokens: 10_000, maxMessages: 20, requestResultIds: new Set(['c9']) }).messages)).toBe('user assistant');
    expect(roles(historyWindow(newestFirst(rows), { maxTokens: 10_000, maxMessages: 20, requestResultIds: new Set(['c9']), requestCallIds: new Set(['c9']) }).messages)).toBe('user');
  });
});

describe('buildSessionContext', () => {
  const summaryOf = (covers: HistoryRow, text = 'Summary: the user likes tea'): SessionSummary => ({
    summary: text,
    coversMessageId: covers.id,
    coversCreatedAt: covers.createdAt,
    coveredMessages: 2,
    tokens: messageTokens(`${SUMMARY_LABEL}\n${text}`),
    model: 'cheap',
    updatedAt: new Date(),
  });

  it('puts the summary first as a labelled system message, then the window after the covered message, within one budget', () => {
    const rows = [row('user', 'I like tea'), row('assistant', 'Noted'), row('user', 'And coffee?'), row('assistant', 'Also fine')];
    const summary = summaryOf(rows[1] as HistoryRow);
    const context = buildSessionContext(newestFirst(rows), summary, { maxTokens: 10_000, maxMessages: 20, readLimit: 100 });
    expect(context.messages).toEqual([
      { role: 'system', content: `${SUMMARY_LABEL}\nSummary: the user likes tea` },
      { role: 'user', content: 'And coffee?' },
      { role: 'assistant', content: 'Also fine' },
    ]);
    expect(context.uncoveredTokens).toBe(tokensOfRows(rows[2], rows[3]));
    expect(context.tokens).toBe(summary.tokens + context.uncoveredTokens);
    // The summary's tokens come off the window's budget.
    const tight = buildSessionContext(newestFirst(rows), summary, { maxTokens: summary.tokens + tokensOfRows(rows[3]), maxMessages: 20, readLimit: 100 });
    expect(roles(tight.messages)).toBe('system assistant');
  });

  it('without a summary is the plain window, and says when older messages were not read', () => {
    const rows = [row('user', 'a'), row('assistant', 'b'), row('user', 'c')];
    const context = buildSessionContext(newestFirst(rows), null, { maxTokens: 10_000, maxMessages: 20, readLimit: 3 });
    expect(roles(context.messages)).toBe('user assistant user');
    expect(context.more).toBe(true);
    expect(buildSessionContext(newestFirst(rows), null, { maxTokens: 10_000, maxMessages: 20, readLimit: 4 }).more).toBe(false);
  });
});
