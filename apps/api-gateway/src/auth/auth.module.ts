import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PoliciesModule } from '@conduit/policies';
import { TenancyModule } from '@conduit/tenancy';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyStore } from './api-key.store';
import { EndUserResolver } from './end-user.resolver';
import { JwtVerifier } from './jwt.verifier';
import { TenantAuthStore } from './tenant-auth.store';

@Module({
  // The tenants' CORS lists (policy `cors`); the same options as the admin module's, so one store.
  imports: [TenancyModule, PoliciesModule.forRoot({ cacheTtlMs: 60_000 })],
  providers: [ApiKeyStore, EndUserResolver, TenantAuthStore, JwtVerifier, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeyStore, TenantAuthStore, TenancyModule],
})
export class AuthModule {}
