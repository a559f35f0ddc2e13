import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyStore } from './api-key.store';
import { EndUserResolver } from './end-user.resolver';
import { EndUserStore } from './end-user.store';
import { JwtVerifier } from './jwt.verifier';
import { TenantAuthStore } from './tenant-auth.store';

@Module({
  providers: [ApiKeyStore, EndUserStore, EndUserResolver, TenantAuthStore, JwtVerifier, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeyStore, TenantAuthStore],
})
export class AuthModule {}
