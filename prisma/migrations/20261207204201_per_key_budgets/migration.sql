-- Per-API-key budget caps (scope key): caps go away with their key, and a key's spend in a
-- budget window is summed from its ledger rows (usage_daily has no key column).

-- AlterEnum
ALTER TYPE "BudgetScope" ADD VALUE 'key';

-- AlterTable
ALTER TABLE "budget_caps" ADD COLUMN     "api_key_id" UUID;

-- CreateIndex
CREATE INDEX "usage_events_tenant_id_api_key_id_occurred_at_idx" ON "usage_events"("tenant_id", "api_key_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "budget_caps" ADD CONSTRAINT "budget_caps_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;
