import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LlmGateway } from './gateway/llm.gateway';
import { LLM_CONFIG, LlmModule } from './llm.module';
import type { LlmConfig } from './config/llm.config';

@Injectable()
class Consumer {
  constructor(readonly llm: LlmGateway) {}
}

@Module({ providers: [Consumer] })
class FeatureModule {}

describe('LlmModule', () => {
  it('provides LlmGateway globally, built from the given config', async () => {
    const app = await NestFactory.createApplicationContext(
      { module: class Root {}, imports: [LlmModule.forRoot({ providers: [{ name: 'openai', kind: 'openai', apiKey: 'k' }] }), FeatureModule] },
      { logger: false },
    );
    try {
      const consumer = app.get(Consumer);
      expect(consumer.llm).toBeInstanceOf(LlmGateway);
      expect(app.get<LlmConfig>(LLM_CONFIG).providers.map((p) => p.name)).toEqual(['openai']);
      expect(consumer.llm.modelsList().map((m) => m.id)).toEqual(['default', 'gpt-4.1', 'gpt-4.1-mini']);
    } finally {
      await app.close();
    }
  });

  it('reads the environment when given no config', async () => {
    const saved = process.env['OPENAI_API_KEY'];
    process.env['OPENAI_API_KEY'] = 'from-env';
    try {
      const app = await NestFactory.createApplicationContext(LlmModule.forRoot(), { logger: false });
      expect(app.get<LlmConfig>(LLM_CONFIG).providers.find((p) => p.name === 'openai')?.apiKey).toBe('from-env');
      await app.close();
    } finally {
      if (saved === undefined) delete process.env['OPENAI_API_KEY'];
      else process.env['OPENAI_API_KEY'] = saved;
    }
  });
});
