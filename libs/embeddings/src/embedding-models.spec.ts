import { encode } from 'gpt-tokenizer/cjs/encoding/cl100k_base';
import { embeddingModelsEnv, embeddingModelsSettings, EmbeddingInputError, EmbeddingModelCatalog } from './embedding-models';
import { embeddingsSettings } from './embeddings.config';
import { HashingEmbedder } from './hashing.embedder';
import { ConfigValidationError } from '@conduit/config';
import { z } from 'zod';

const parseModels = (json: string) => z.object(embeddingModelsEnv).parse({ EMBEDDINGS_MODELS: json }).EMBEDDINGS_MODELS;

describe('embedding models', () => {
  it('defaults to the EMBEDDINGS_* embedder: hashing-v2 in development, any size from 2, not cached', () => {
    const [spec] = embeddingModelsSettings({}, embeddingsSettings({}));
    expect(spec).toMatchObject({ name: 'hashing-v2', provider: 'hashing', model: 'hashing-v2', dimensions: 384, dimensionRange: { min: 2, max: 16_000 }, cache: false });
    const catalog = new EmbeddingModelCatalog([spec]);
    expect(catalog.resolve('default')).toBe(spec);
    expect(catalog.resolve('hashing-v2')).toBe(spec);
    expect(catalog.resolve('text-embedding-3-small')).toBeUndefined();
  });

  it('an openai EMBEDDINGS_* embedder: native size known, shortenable text-embedding-3 models, cached', () => {
    const config = embeddingsSettings({ EMBEDDINGS_PROVIDER: 'openai', EMBEDDINGS_API_KEY: 'k', EMBEDDINGS_MODEL: 'text-embedding-3-large' });
    const [spec] = embeddingModelsSettings({}, config);
    expect(spec).toMatchObject({ name: 'text-embedding-3-large', provider: 'openai', dimensions: 3072, nativeDimensions: 3072, dimensionRange: { min: 1, max: 3072 }, cache: true });
    expect(EmbeddingModelCatalog.supportsDimensions(spec, 256)).toBe(true);
    expect(EmbeddingModelCatalog.supportsDimensions(spec, 3073)).toBe(false);
  });

  it('EMBEDDINGS_MODELS names several models; ada-002 and unknown models have one size', () => {
    const specs = embeddingModelsSettings(
      {
        EMBEDDINGS_MODELS: parseModels(
          JSON.stringify([
            { name: 'small', provider: 'openai', model: 'text-embedding-3-small' },
            { name: 'text-embedding-ada-002', provider: 'openai' },
            { name: 'bge', provider: 'openai', base_url: 'http://tei:8080/v1', dimensions: 384 },
            { name: 'local', provider: 'hashing', dimensions: 64 },
          ]),
        ),
        OPENAI_API_KEY: 'k',
      },
      embeddingsSettings({}),
    );
    expect(specs.map((s) => [s.name, s.model, s.dimensions, s.dimensionRange])).toEqual([
      ['small', 'text-embedding-3-small', 1536, { min: 1, max: 1536 }],
      ['text-embedding-ada-002', 'text-embedding-ada-002', 1536, null],
      ['bge', 'bge', 384, null],
      ['local', 'hashing-v2', 64, { min: 2, max: 16_000 }],
    ]);
    expect(specs[2]).toMatchObject({ baseURL: 'http://tei:8080/v1', nativeDimensions: 384 });
    expect(EmbeddingModelCatalog.supportsDimensions(specs[1], 1536)).toBe(true);
    expect(EmbeddingModelCatalog.supportsDimensions(specs[1], 512)).toBe(false);
    expect(new EmbeddingModelCatalog(specs).resolve('default')).toBe(specs[0]);
  });

  it('names the problem: duplicate names, unknown sizes, a missing key', () => {
    expect(() => parseModels(JSON.stringify([{ name: 'a', provider: 'hashing' }, { name: 'a', provider: 'hashing' }]))).toThrow(/appears twice/);
    expect(() => parseModels('[{"name":"a","provider":"hashing","colour":1}]')).toThrow();
    expect(() => parseModels('not json')).toThrow(/must be JSON/);
    expect(() => embeddingModelsSettings({ EMBEDDINGS_MODELS: parseModels('[{"name":"mystery","provider":"openai","base_url":"http://x/v1"}]') }, embeddingsSettings({}))).toThrow(
      /EMBEDDINGS_MODELS.0.dimensions is required/,
    );
    expect(() => embeddingModelsSettings({ EMBEDDINGS_MODELS: parseModels('[{"name":"text-embedding-3-small","provider":"openai"}]') }, embeddingsSettings({}))).toThrow(ConfigValidationError);
  });

  it('hashing: token arrays are decoded as cl100k_base ids, so they embed like their text', async () => {
    const [spec] = embeddingModelsSettings({}, embeddingsSettings({}));
    const catalog = new EmbeddingModelCatalog([spec]);
    const text = 'The refund policy covers thirty days.';
    const [fromTokens] = await catalog.embed(spec, [encode(text)], { dimensions: 32 });
    expect(fromTokens).toEqual(new HashingEmbedder({ dimension: 32 }).embedText(text));
    await expect(catalog.embed(spec, [[999_999_999]])).rejects.toBeInstanceOf(EmbeddingInputError);
  });

  it('refuses a size the model cannot make', async () => {
    const [spec] = embeddingModelsSettings({}, embeddingsSettings({}));
    await expect(new EmbeddingModelCatalog([spec]).embed(spec, ['a'], { dimensions: 1 })).rejects.toThrow(RangeError);
  });
});
