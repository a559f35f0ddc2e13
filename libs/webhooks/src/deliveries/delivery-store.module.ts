import { Module } from '@nestjs/common';
import { DeliveryStore } from './delivery.store';

/** {@link DeliveryStore} for the modules that store or send webhook deliveries (PrismaService from the global DbModule). */
@Module({ providers: [DeliveryStore], exports: [DeliveryStore] })
export class DeliveryStoreModule {}
