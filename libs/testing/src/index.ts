export { waitFor, WaitTimeoutError } from './wait-for';
export type { WaitOptions } from './wait-for';
export { createMessage, createSession, createTenantWithUser, createUserWithKey, removeTenants } from './tenants.fixture';
export type { Owner, TenantWithUser, UserWithKey } from './tenants.fixture';
export { articleText, createDocumentFixture, randomLetters } from './documents.fixture';
export type { DocumentFixture } from './documents.fixture';
export { buildPdf, corruptPdf } from './pdf.fixture';
export { createColleague, createTestOwner, removeTestOwners, useTestDatabase } from './owners.fixture';
export type { TestDatabase, TestOwner } from './owners.fixture';
