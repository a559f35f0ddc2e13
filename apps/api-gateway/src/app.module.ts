import { DynamicModule, Module } from '@nestjs/common';
import { ServiceCoreModule } from '@conduit/runtime';
import type { GatewayConfig } from './config/api-gateway.config';

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceCoreModule.forRoot({ service: 'api-gateway', settings: config })],
    };
  }
}
