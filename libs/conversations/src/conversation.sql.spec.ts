import { turnRows, wellFormed } from './conversation.sql';
import type { ChatTurn } from './chat-turn';

const OWNER = { tenantId: '00000000-0000-4000-8000-000000000001', userId: '00000000-0000-4000-8000-000000000002' };

function turn(overrides: Partial<ChatTurn> = {}, assistant: Partial<ChatTurn['assistant']> = {}): ChatTurn {
  return {
    context: { ...OWNER, requestId: 'req-1' },
    sessionId: '10000000-0000-4000-8000-000000000001',
    newSession: true,
    title: 'Hello',
    userMessage: { id: '20000000-0000-4000-8000-000000000001', role: 'user', content: 'Hello', createdAt: new Date('2026-01-02T03:04:05.678Z') },
    ...overrides,
    assistant: {
      id: '30000000-0000-4000-8000-000000000001',
      content: 'Hi',
      status: 'complete',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      usage: { input_tokens: 5, output_tokens: 7, cached_tokens: 0 },
      usageEstimated: false,
      costUsd: 0.000123,
      latencyMs: 42,
      ttftMs: null,
      metadata: { finish_reason: 'stop' },
      createdAt: new Date('2026-01-02T03:04:06.001Z'),
      ...assistant,
    },
  };
}

describe('wellFormed', () => {
  it('replaces lone surrogates with U+FFFD, as pg UTF-8 encoding did, and keeps pairs', () => {
    expect(wellFormed('a\ud83d')).toBe('a\ufffd');
    expect(wellFormed('\ude00b\ud83d\ude00')).toBe('\ufffdb\ud83d\ude00');
    expect(wellFormed('plain ✓')).toBe('plain ✓');
  });
});

describe('turnRows', () => {
  it('maps a turn to a session row and its user and assistant messages', () => {
    const rows = turnRows([turn()]);
    expect(rows.sessions).toEqual([{ id: '10000000-0000-4000-8000-000000000001', tenant_id: OWNER.tenantId, user_id: OWNER.userId, title: 'Hello' }]);
    expect(rows.touched).toEqual([]);
    expect(rows.messages).toEqual([
      expect.objectContaining({ id: '20000000-0000-4000-8000-000000000001', role: 'user', status: 'complete', tokens_in: 0, cost_usd: 0, metadata: {}, provider: null, created_at: '2026-01-02T03:04:05.678Z' }),
      expect.objectContaining({
        id: '30000000-0000-4000-8000-000000000001',
        role: 'assistant',
        tokens_in: 5,
        tokens_out: 7,
        cost_usd: 0.000123,
        metadata: { finish_reason: 'stop', request_id: 'req-1', usage_estimated: false },
        created_at: '2026-01-02T03:04:06.001Z',
      }),
    ]);
  });

  it('creates each new session once (first title wins) and bumps continued sessions per owner', () => {
    const other = { ...OWNER, userId: '00000000-0000-4000-8000-000000000003' };
    const rows = turnRows([
      turn({ title: 'First' }),
      turn({ title: 'Second' }),
      turn({ newSession: false, sessionId: 'continued' }),
      turn({ newSession: false, sessionId: 'continued' }),
      turn({ newSession: false, sessionId: 'continued', context: { ...other, requestId: 'req-2' } }),
    ]);
    expect(rows.sessions.map((s) => s.title)).toEqual(['First']);
    expect(rows.touched).toEqual([
      { id: 'continued', tenant_id: OWNER.tenantId, user_id: OWNER.userId },
      { id: 'continued', tenant_id: other.tenantId, user_id: other.userId },
    ]);
    expect(rows.messages).toHaveLength(10);
  });

  it('lists continued sessions in id order (one lock order for every batch)', () => {
    const rows = turnRows(['c', 'a', 'b'].map((sessionId) => turn({ newSession: false, sessionId })));
    expect(rows.touched.map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });

  it('stores a turn without a user message (assistant-only) and a tool message', () => {
    expect(turnRows([turn({ userMessage: null })]).messages.map((m) => m.role)).toEqual(['assistant']);
    const tool = turnRows([turn({ userMessage: { id: 'u', role: 'tool', content: '{}', createdAt: new Date(0) } })]);
    expect(tool.messages.map((m) => m.role)).toEqual(['tool', 'assistant']);
  });

  it('makes every free text well formed, so a title cut inside an emoji does not fail the turn', () => {
    const rows = turnRows([turn({ title: 'x\ud83d' }, { content: 'y\ude00', model: 'm\ud800' })]);
    expect(rows.sessions[0]?.title).toBe('x\ufffd');
    expect(rows.messages[1]).toMatchObject({ content: 'y\ufffd', model: 'm\ufffd' });
  });
});
