import { settingsOf } from './response-object';
import { ResponseEventStream, SseDataReader } from './response-events';
import { parseResponsesRequest } from './responses-request';

const settings = settingsOf(parseResponsesRequest({ model: 'default', input: 'x' }));
const id = 'resp_0123456789abcdef0123456789abcdef';

describe('ResponseEventStream', () => {
  it('turns a text stream into the Responses events, numbered in order, ending with the completed response', () => {
    const stream = new ResponseEventStream(id, settings, 1, 'mock-model');
    const events = [
      ...stream.start(),
      ...stream.chunk({ choices: [{ delta: { content: 'Hel' }, finish_reason: null }] }),
      ...stream.chunk({ choices: [{ delta: { content: 'lo' }, finish_reason: null }] }),
      ...stream.chunk({ choices: [{ delta: {}, finish_reason: 'stop' }] }),
      ...stream.chunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } }),
      ...stream.end(),
    ];
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_e, i) => i));
    expect(events[6]).toMatchObject({ text: 'Hello', item_id: 'msg_0123456789abcdef0123456789abcdef' });
    const completed = events[9]['response'] as Record<string, unknown>;
    expect(completed).toMatchObject({ id, status: 'completed', usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } });
    expect(completed['output']).toEqual([{ type: 'message', id: 'msg_0123456789abcdef0123456789abcdef', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] }]);
  });

  it('streams function calls as function_call items with their arguments', () => {
    const stream = new ResponseEventStream(id, settings, 1, 'm');
    stream.start();
    const events = [
      ...stream.chunk({ choices: [{ delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'weather', arguments: '' } }] } }] }),
      ...stream.chunk({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' }] }),
      ...stream.end(),
    ];
    expect(events.map((e) => e.type)).toEqual([
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[3]['item']).toEqual({ type: 'function_call', id: 'fc_0123456789abcdef0123456789abcdef_0', call_id: 'call_1', name: 'weather', arguments: '{"a":1}', status: 'completed' });
  });

  it('ends as incomplete when the answer was cut at max_output_tokens, and as failed on an error frame', () => {
    const cut = new ResponseEventStream(id, settings, 1, 'm');
    cut.chunk({ choices: [{ delta: { content: 'a' }, finish_reason: 'length' }] });
    const last = cut.end().at(-1);
    expect(last).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });

    const broken = new ResponseEventStream(id, settings, 1, 'm');
    const failed = broken.chunk({ error: { code: 'upstream_error', message: 'boom' } });
    expect(failed).toEqual([expect.objectContaining({ type: 'response.failed', response: expect.objectContaining({ status: 'failed', error: { code: 'upstream_error', message: 'boom' } }) })]);
    expect(broken.ended).toBe(true);
    expect(broken.end()).toEqual([]);
  });
});

describe('SseDataReader', () => {
  it('yields the data of complete frames, whatever the chunking (UTF-8 included)', () => {
    const reader = new SseDataReader();
    const bytes = Buffer.from('data: {"a":"é"}\n\ndata: [DONE]\n\n');
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i += 3) out.push(...reader.push(bytes.subarray(i, i + 3)));
    expect(out).toEqual(['{"a":"é"}', '[DONE]']);
  });
});
