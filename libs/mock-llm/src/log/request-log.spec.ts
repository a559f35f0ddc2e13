import { RequestLog, type RequestLogEntry } from './request-log';

const entry = (id: string): RequestLogEntry => ({
  id,
  wire: 'openai',
  method: 'POST',
  path: '/v1/chat/completions',
  model: 'm',
  stream: false,
  status: null,
  fault: null,
  rule_id: null,
  started_at: 0,
  ended_at: null,
  prompt_tokens: 0,
  prompt_text: '',
  output_format: null,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  cache_control_blocks: 0,
  completion_tokens: 0,
  tokens_sent: 0,
  client_disconnected: false,
  images: [],
  params: {},
});

const ids = (log: RequestLog, limit?: number) => log.list(limit).map((e) => e.id);

describe('RequestLog', () => {
  it('lists entries oldest first', () => {
    const log = new RequestLog(5);
    ['a', 'b', 'c'].forEach((id) => log.add(entry(id)));
    expect(ids(log)).toEqual(['a', 'b', 'c']);
  });

  it('keeps only the most recent `capacity` entries', () => {
    const log = new RequestLog(3);
    ['a', 'b', 'c', 'd', 'e'].forEach((id) => log.add(entry(id)));
    expect(ids(log)).toEqual(['c', 'd', 'e']);
  });

  it('limits to the most recent entries', () => {
    const log = new RequestLog(3);
    ['a', 'b', 'c', 'd'].forEach((id) => log.add(entry(id)));
    expect(ids(log, 2)).toEqual(['c', 'd']);
    expect(ids(log, 10)).toEqual(['b', 'c', 'd']);
  });

  it('clears', () => {
    const log = new RequestLog(3);
    log.add(entry('a'));
    log.clear();
    expect(ids(log)).toEqual([]);
    log.add(entry('b'));
    expect(ids(log)).toEqual(['b']);
  });

  it('records nothing with capacity 0', () => {
    const log = new RequestLog(0);
    log.add(entry('a'));
    expect(ids(log)).toEqual([]);
  });
});
