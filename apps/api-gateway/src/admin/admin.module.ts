import { DynamicModule, Module } from '@nestjs/common';
import { ConversationStoreModule } from '@conduit/conversations';
import { JobStoreModule } from '@conduit/jobs';
import { PoliciesModule } from '@conduit/policies';
import { AuthModule } from '../auth/auth.module';
import { ADMIN_SETTINGS, AdminSettings } from './admin.constants';
import { AdminCacheController } from './admin-cache.controller';
import { AdminGuard } from './admin.guard';
import { AdminPlatformController } from './admin-platform.controller';
import { AdminTenantsController } from './admin-tenants.controller';
import { AdminUsageController } from './admin-usage.controller';
import { AdminUsersController } from './admin-users.controller';
import { ResponseCacheAdmin } from './response-cache.admin';
import { UserErasure } from './user-erasure.service';

/**
 * The admin API (`/v1/admin/...`): tenants, users, API keys, budget caps, prices, tenant policies,
 * response cache purges and platform admin keys, for platform admins and tenant admins ({@link AdminGuard}). Needs the
 * budget module (global) for caps and prices.
 */
@Module({})
export class AdminModule {
  /**
   * `documents`: the app's `DocumentsModule` (user erasure deletes documents as its route does);
   * `usage`: its `UsageModule` (usage reports); `memories`: its `MemoriesModule` (user erasure
   * removes the user's memories and their vectors).
   */
  static register(settings: AdminSettings, documents: DynamicModule, usage: DynamicModule, memories: DynamicModule): DynamicModule {
    return {
      module: AdminModule,
      imports: [AuthModule, PoliciesModule.forRoot({ cacheTtlMs: 60_000 }), ConversationStoreModule, JobStoreModule, documents, usage, memories],
      controllers: [AdminTenantsController, AdminUsersController, AdminPlatformController, AdminUsageController, AdminCacheController],
      providers: [{ provide: ADMIN_SETTINGS, useValue: settings }, AdminGuard, UserErasure, ResponseCacheAdmin],
      exports: [AdminGuard, ADMIN_SETTINGS],
    };
  }
}
