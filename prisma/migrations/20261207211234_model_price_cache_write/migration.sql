-- AlterTable
ALTER TABLE "model_prices" ADD COLUMN     "cache_write_usd_per_mtok" DECIMAL(14,6);
