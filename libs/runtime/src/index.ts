export { bootstrapService } from './bootstrap';
export type { ServiceBootstrapOptions } from './bootstrap';
export { ConduitException } from './conduit.exception';
export { describeError } from './error-body';
export type { ErrorDescription } from './error-body';
export { ErrorFilter, requestIdOf } from './error.filter';
export { ServiceCoreModule } from './service-core.module';
export type { ServiceCoreOptions } from './service-core.module';
