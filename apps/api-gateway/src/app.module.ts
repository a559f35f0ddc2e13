import { DynamicModule, Module } from '@nestjs/common';
import { ServiceCoreModule } from '@conduit/runtime';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { DocsModule } from './docs/docs.module';
import type { GatewayConfig } from './config/api-gateway.config';
import { MessagesModule } from './messages/messages.module';
import { SessionsModule } from './sessions/sessions.module';

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({ service: 'api-gateway', settings: config }),
        AuthModule,
        SessionsModule,
        MessagesModule,
        ChatModule.register(config.chat),
        DocsModule,
      ],
    };
  }
}
