import { formatLogLine, prettyLogs } from './log-format.cjs';

const line = (entry: Record<string, unknown>) => JSON.stringify({ level: 'info', time: '2026-12-07T14:45:35.483Z', service: 'api-gateway', ...entry });

describe('formatLogLine: the services JSON logs as readable lines for npm start', () => {
  it('puts time, level, context and message on one line, other fields as key=value', () => {
    expect(formatLogLine(line({ context: 'WorkerHost', msg: 'consuming queue', queue: 'usage', jobs: ['usage.record'], trace_id: 'abc' }))).toBe(
      '14:45:35.483 INFO  [WorkerHost] consuming queue queue=usage jobs=["usage.record"]',
    );
  });

  it('reads a request log line as method, path, status and duration', () => {
    const request = line({ req: { method: 'POST', url: '/v1/chat/completions' }, res: { status_code: 200 }, responseTime: 41.7, msg: 'request completed', request_id: 'r-1' });
    expect(formatLogLine(request)).toBe('14:45:35.483 INFO  POST /v1/chat/completions 200 42ms request_id=r-1');
  });

  it('shows an error with its message on the line and its stack after it', () => {
    const failed = line({ level: 'error', msg: 'job failed', err: { type: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at run (job.ts:1:1)' } });
    expect(formatLogLine(failed)).toBe('14:45:35.483 ERROR job failed TypeError: boom\n    at run (job.ts:1:1)');
  });

  it('colours the level when asked', () => {
    const warned = formatLogLine(line({ level: 'warn', msg: 'slow' }), { color: true });
    expect(warned).toContain('\u001b[33mWARN \u001b[0m');
    const ansi = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g');
    expect(warned.replace(ansi, '')).toBe('14:45:35.483 WARN  slow');
  });

  it('understands numeric pino levels and passes anything that is not a JSON object through', () => {
    expect(formatLogLine(JSON.stringify({ level: 50, time: 0, msg: 'x' }))).toBe('00:00:00.000 ERROR x');
    for (const other of ['plain text from a child process', '{not json', '[1,2]', '']) expect(formatLogLine(other)).toBe(other);
  });
});

describe('prettyLogs', () => {
  it('formats for a terminal, keeps JSON when piped or in production', () => {
    expect(prettyLogs({ isTTY: true, env: {} })).toBe(true);
    expect(prettyLogs({ isTTY: false, env: {} })).toBe(false);
    expect(prettyLogs({ isTTY: true, env: { NODE_ENV: 'production' } })).toBe(false);
  });

  it('lets LOG_FORMAT decide', () => {
    expect(prettyLogs({ isTTY: true, env: { LOG_FORMAT: 'json' } })).toBe(false);
    expect(prettyLogs({ isTTY: false, env: { LOG_FORMAT: 'pretty' } })).toBe(true);
  });
});
