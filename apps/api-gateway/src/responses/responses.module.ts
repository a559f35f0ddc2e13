import { DynamicModule, Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { ResponsesController } from './responses.controller';
import { ResponsesService } from './responses.service';

@Module({})
export class ResponsesModule {
  /** `chat` is the app's ChatModule (its `ChatForwarder` sends every call). */
  static register(chat: DynamicModule): DynamicModule {
    return {
      module: ResponsesModule,
      imports: [chat, SessionsModule],
      controllers: [ResponsesController],
      providers: [ResponsesService],
    };
  }
}
