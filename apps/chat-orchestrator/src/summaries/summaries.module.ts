import { DynamicModule, Module } from '@nestjs/common';
import { SessionSummarizer } from './session-summarizer';
import { SUMMARIES_SETTINGS, SummariesSettings } from './summaries.constants';

/**
 * Session summaries' worker side: the summariser the `session.summarize` handler calls. `chat` is
 * the app's ChatModule (its policies, conversation stores and usage producer).
 */
@Module({})
export class SummariesModule {
  static register(settings: SummariesSettings, chat: DynamicModule): DynamicModule {
    return {
      module: SummariesModule,
      imports: [chat],
      providers: [{ provide: SUMMARIES_SETTINGS, useValue: settings }, SessionSummarizer],
      exports: [SessionSummarizer],
    };
  }
}
