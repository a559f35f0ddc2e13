import { Module } from '@nestjs/common';
import { AdminKeyStore } from './admin-key.store';
import { ApiKeyRegistry } from './api-key.registry';
import { AuthAnnouncer } from './auth-announcer';
import { TenantStore } from './tenant.store';
import { UserStore } from './user.store';

/** The tenancy stores, for an app that already has `DbModule` and `QueueModule.forRoot`. */
@Module({
  providers: [AuthAnnouncer, TenantStore, UserStore, ApiKeyRegistry, AdminKeyStore],
  exports: [AuthAnnouncer, TenantStore, UserStore, ApiKeyRegistry, AdminKeyStore],
})
export class TenancyModule {}
