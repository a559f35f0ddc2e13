import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TenancyModule } from '@conduit/tenancy';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyStore } from './api-key.store';

@Module({
  imports: [TenancyModule],
  providers: [ApiKeyStore, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeyStore, TenancyModule],
})
export class AuthModule {}
