-- End users of a tenant's application: a user row named by the application's own id.
ALTER TABLE "users" ADD COLUMN "external_id" TEXT;
CREATE UNIQUE INDEX "users_tenant_id_external_id_key" ON "users"("tenant_id", "external_id");

-- JWT sign-in per tenant: where its keys are, which issuer and audience, which claim names the user.
CREATE TABLE "tenant_auth" (
    "tenant_id" UUID NOT NULL,
    "jwks_url" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "user_claim" TEXT NOT NULL DEFAULT 'sub',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_auth_pkey" PRIMARY KEY ("tenant_id")
);
CREATE UNIQUE INDEX "tenant_auth_issuer_audience_key" ON "tenant_auth"("issuer", "audience");
ALTER TABLE "tenant_auth" ADD CONSTRAINT "tenant_auth_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
