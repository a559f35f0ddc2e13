import { Module } from '@nestjs/common';
import { DeliveryStoreModule } from '@conduit/webhooks';
import { JobLifecycle } from './job-lifecycle';
import { JobStore } from './job.store';

/**
 * {@link JobStore} and {@link JobLifecycle} (with the `DeliveryStore` the lifecycle needs), for the
 * gateway's jobs API and the worker. Needs the global DbModule and QueueModule.
 */
@Module({
  imports: [DeliveryStoreModule],
  providers: [JobStore, JobLifecycle],
  exports: [JobStore, JobLifecycle, DeliveryStoreModule],
})
export class JobStoreModule {}
