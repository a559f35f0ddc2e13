import { SSE_DONE, sseData, sseEvent, sseHeaders } from './sse-frame';

describe('SSE framing', () => {
  it('frames unnamed data events', () => {
    expect(sseData('{"a":1}')).toBe('data: {"a":1}\n\n');
  });

  it('frames named events', () => {
    expect(sseEvent('message_stop', '{"type":"message_stop"}')).toBe(
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });

  it('ends OpenAI streams with [DONE]', () => {
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
  });

  it('sends event-stream, chunked, with the wire request-id header', () => {
    expect(sseHeaders('request-id', 'req_1')).toEqual({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'transfer-encoding': 'chunked',
      'request-id': 'req_1',
    });
  });
});
