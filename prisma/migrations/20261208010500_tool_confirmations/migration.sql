-- CreateEnum
CREATE TYPE "ToolConfirmationStatus" AS ENUM ('pending', 'approved', 'denied', 'expired');

-- CreateTable
CREATE TABLE "tool_confirmations" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "api_key_id" UUID,
    "session_id" UUID NOT NULL,
    "job_id" UUID,
    "status" "ToolConfirmationStatus" NOT NULL DEFAULT 'pending',
    "pending_calls" JSONB NOT NULL,
    "state" JSONB NOT NULL,
    "edited_arguments" JSONB,
    "decided_by" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tool_confirmations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tool_confirmations_tenant_id_created_at_idx" ON "tool_confirmations"("tenant_id", "created_at");

-- AddForeignKey
ALTER TABLE "tool_confirmations" ADD CONSTRAINT "tool_confirmations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
