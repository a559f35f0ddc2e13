-- Response cache (issue 17): savings in the ledger and its daily aggregate (/v1/usage), and the
-- semantic cache's vectors (pgvector; the vector store creates the extension too, at run time).
CREATE EXTENSION IF NOT EXISTS vector;

-- AlterTable
ALTER TABLE "usage_daily" ADD COLUMN     "cache_hits" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "cost_saved_usd" DECIMAL(20,9) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "usage_events" ADD COLUMN     "cache_hit" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "cost_saved_usd" DECIMAL(18,9) NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "response_cache_vectors" (
    "tenant_id" UUID NOT NULL,
    "entry_key" TEXT NOT NULL,
    "scope_user_id" UUID,
    "created_by" UUID,
    "filter_hash" TEXT NOT NULL,
    "embedder" TEXT NOT NULL,
    "embedding" vector NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "response_cache_vectors_pkey" PRIMARY KEY ("tenant_id","entry_key")
);

-- CreateIndex
CREATE INDEX "response_cache_vectors_tenant_id_filter_hash_embedder_idx" ON "response_cache_vectors"("tenant_id", "filter_hash", "embedder");

-- CreateIndex
CREATE INDEX "response_cache_vectors_tenant_id_created_by_idx" ON "response_cache_vectors"("tenant_id", "created_by");

-- AddForeignKey
ALTER TABLE "response_cache_vectors" ADD CONSTRAINT "response_cache_vectors_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
