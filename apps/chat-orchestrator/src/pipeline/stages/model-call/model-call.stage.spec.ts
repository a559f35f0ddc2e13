import type { CompleteResult, LlmGateway } from '@conduit/llm';
import { ChatException } from '../../../chat/chat.exception';
import type { Turn } from '../../turn';
import { InvalidModelOutputException } from './invalid-model-output.exception';
import { ModelCallStageImpl } from './model-call.stage';
import type { ToolLoop } from './tool-loop';

/** No `conduit.tools` in these turns: the tool loop never starts. */
const noToolLoop = { begin: () => Promise.resolve(undefined) } as unknown as ToolLoop;

const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

function result(content: string, tokens: number): CompleteResult {
  return {
    completion: { content, finish_reason: 'stop', usage: { input_tokens: tokens, output_tokens: tokens, cached_tokens: 0 } },
    provider: 'openai',
    model: 'gpt-4.1',
    attempts: [{ provider: 'openai', model: 'gpt-4.1' } as CompleteResult['attempts'][number]],
    latencyMs: 10,
  };
}

function stageAnswering(...answers: string[]) {
  const calls: unknown[] = [];
  const llm = {
    complete: (_model: string, request: unknown) => {
      calls.push(request);
      const content = answers[calls.length - 1];
      return content === undefined ? Promise.reject(new Error('no more answers')) : Promise.resolve(result(content, calls.length));
    },
  } as unknown as LlmGateway;
  return { stage: new ModelCallStageImpl(llm, noToolLoop), calls };
}

function turnOf(validate: boolean | undefined, format: Turn['request']['response_format'] = { type: 'json_schema', json_schema: { name: 'city', schema } }): Turn {
  return {
    body: { model: 'm', messages: [{ role: 'user', content: 'x' }], ...(validate !== undefined ? { conduit: { validate_json: validate } } : {}) },
    request: { model: 'm', messages: [{ role: 'user', content: 'x' }], ...(format ? { response_format: format } : {}) },
    context: { requestId: 'r' },
  } as unknown as Turn;
}

const signal = new AbortController().signal;

describe('ModelCallStageImpl: conduit.validate_json', () => {
  it('does not check (nor call again) without validate_json', async () => {
    const { stage, calls } = stageAnswering('not json');
    expect((await stage.complete(turnOf(undefined), signal)).completion.content).toBe('not json');
    expect(calls).toHaveLength(1);
  });

  it('returns a valid first answer after one call', async () => {
    const { stage, calls } = stageAnswering('{"city":"Paris"}', '{"city":"Rome"}');
    expect((await stage.complete(turnOf(true), signal)).completion.content).toBe('{"city":"Paris"}');
    expect(calls).toHaveLength(1);
  });

  it('calls once more with the same request after an invalid answer, and bills both calls', async () => {
    const { stage, calls } = stageAnswering('oops', '{"city":"Rome"}');
    const out = await stage.complete(turnOf(true), signal);
    expect(out.completion.content).toBe('{"city":"Rome"}');
    expect(calls).toHaveLength(2);
    expect(calls[1]).toBe(calls[0]);
    expect(out.completion.usage).toEqual({ input_tokens: 3, output_tokens: 3, cached_tokens: 0 });
    expect(out.attempts).toHaveLength(2);
  });

  it('answers invalid_model_output after two invalid answers, never a third call', async () => {
    const { stage, calls } = stageAnswering('{"town":"Paris"}', 'still not', '{"city":"never asked"}');
    const failure = stage.complete(turnOf(true), signal);
    await expect(failure).rejects.toBeInstanceOf(ChatException);
    await expect(failure).rejects.toMatchObject({ code: 'invalid_model_output', details: { param: 'response_format' } });
    // The refused answer carries both calls' usage, for the pipeline to bill them.
    const error = (await failure.catch((e: unknown) => e)) as InvalidModelOutputException;
    expect(error).toBeInstanceOf(InvalidModelOutputException);
    expect(error.result.completion).toMatchObject({ content: 'still not', usage: { input_tokens: 3, output_tokens: 3 } });
    expect(calls).toHaveLength(2);
  });

  it('json_object: any JSON object passes, an array does not', async () => {
    const ok = stageAnswering('{"any":1}');
    await expect(ok.stage.complete(turnOf(true, { type: 'json_object' }), signal)).resolves.toBeDefined();
    const bad = stageAnswering('[1]', '[2]');
    await expect(bad.stage.complete(turnOf(true, { type: 'json_object' }), signal)).rejects.toMatchObject({ code: 'invalid_model_output' });
  });
});
