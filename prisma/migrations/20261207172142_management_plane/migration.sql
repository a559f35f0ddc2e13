-- Management plane (issue 14): suspension of tenants and users, erasure of users, the API key
-- model (scopes, model allow-list, per-key rate limits) and platform admin keys.

-- AlterTable
ALTER TABLE "tenants" ADD COLUMN "suspended_at" TIMESTAMPTZ(3),
ADD COLUMN "suspended_reason" TEXT;

-- AlterTable
ALTER TABLE "users" ADD COLUMN "suspended_at" TIMESTAMPTZ(3),
ADD COLUMN "erased_at" TIMESTAMPTZ(3);

-- AlterTable: existing keys keep what they could do (everything but admin and act_for_users).
ALTER TABLE "api_keys" ADD COLUMN "scopes" TEXT[] NOT NULL DEFAULT ARRAY['chat', 'jobs', 'documents', 'usage']::TEXT[],
ADD COLUMN "allowed_models" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
ADD COLUMN "rpm" INTEGER,
ADD COLUMN "tpm" INTEGER;

-- CreateTable
CREATE TABLE "admin_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "admin_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "admin_keys_key_hash_key" ON "admin_keys"("key_hash");
