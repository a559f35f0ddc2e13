-- Issue 13: registered webhook endpoints with sealed secrets and event subscriptions; webhook
-- signing secrets encrypted at rest.

-- ─── Webhook endpoints: registration, subscriptions, sealed secrets ─────────────────────────────
ALTER TABLE "webhook_endpoints" ADD COLUMN "description" TEXT,
ADD COLUMN "event_types" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN "previous_expires_at" TIMESTAMPTZ(3),
ADD COLUMN "previous_secret_ciphertext" TEXT,
ADD COLUMN "previous_secret_key_id" TEXT,
ADD COLUMN "registered" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "rotated_at" TIMESTAMPTZ(3),
ADD COLUMN "secret_ciphertext" TEXT,
ADD COLUMN "secret_key_id" TEXT;

-- ─── Tenant signing keys: sealed columns ────────────────────────────────────────────────────────
-- The plaintext columns stay (nullable) only until the services seal existing rows: the gateway
-- and billing do at start-up, and `admin rotate-secrets-key` does on demand; both empty them.
ALTER TABLE "webhook_signing_keys" ADD COLUMN "previous_secret_ciphertext" TEXT,
ADD COLUMN "previous_secret_key_id" TEXT,
ADD COLUMN "secret_ciphertext" TEXT,
ADD COLUMN "secret_key_id" TEXT,
ALTER COLUMN "secret" DROP NOT NULL;
