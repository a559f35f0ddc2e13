export { PoliciesModule } from './policies.module';
export { POLICIES_OPTIONS, policyChannel } from './policies.constants';
export type { PoliciesModuleOptions } from './policies.constants';
export { policiesEnv, policiesSettings } from './policies.env';
export { PolicyStore } from './policy.store';
export { PolicyDocumentError } from './policy-document.exception';
export { PolicyCache } from './policy-cache';
