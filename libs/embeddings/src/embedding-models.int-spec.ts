import { startMockLlmServer, type RunningMockLlm } from '@conduit/mock-llm';
import { EmbeddingUsageTally } from './embedding-usage';
import { EmbeddingModelCatalog, embeddingModelsEnv, embeddingModelsSettings } from './embedding-models';
import { embeddingsSettings } from './embeddings.config';
import { z } from 'zod';

describe('EmbeddingModelCatalog against the mock upstream (OpenAI wire)', () => {
  let mock: RunningMockLlm;
  let catalog: EmbeddingModelCatalog;

  beforeAll(async () => {
    mock = await startMockLlmServer();
    const models = z
      .object(embeddingModelsEnv)
      .parse({ EMBEDDINGS_MODELS: JSON.stringify([{ name: 'small', provider: 'openai', model: 'text-embedding-3-small', base_url: `${mock.url}/v1` }]) }).EMBEDDINGS_MODELS;
    catalog = new EmbeddingModelCatalog(embeddingModelsSettings({ EMBEDDINGS_MODELS: models }, embeddingsSettings({})));
  });

  afterAll(async () => {
    await mock.close();
  });

  const lastRequest = () => mock.state.requests.list().filter((entry) => entry.path === '/v1/embeddings').at(-1);

  it('sends token arrays as they are and reports the provider-counted tokens', async () => {
    const spec = catalog.resolve('small');
    if (!spec) throw new Error('no model');
    const tally = new EmbeddingUsageTally();
    const vectors = await catalog.embed(spec, [[1, 2, 3], [4, 5]], { onUsage: tally.add });
    expect(vectors.map((v) => v.length)).toEqual([1536, 1536]);
    expect(lastRequest()?.prompt_text).toBe('tokens:1,2,3\ntokens:4,5');
    expect(tally.usages()).toEqual([{ provider: 'openai', model: 'text-embedding-3-small', inputTokens: 5 }]);
  });

  it('sends dimensions only when asked for another size than the native one', async () => {
    const spec = catalog.resolve('default');
    if (!spec) throw new Error('no model');
    const [short] = await catalog.embed(spec, ['hello'], { dimensions: 256 });
    expect(short).toHaveLength(256);
    const [native] = await catalog.embed(spec, ['hello']);
    expect(native).toHaveLength(1536);
  });
});
