-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "allow_unpriced_models" BOOLEAN NOT NULL DEFAULT false;

-- Price families instead of trailing globs: a dated snapshot now takes its family's price
-- (`claude-sonnet-4-6-20260217` → `claude-sonnet-4-6`, see libs/budget/README.md), while a glob
-- `claude-opus-4-1*` also priced any name that merely starts the same (`claude-opus-4-10`).
-- Only the rows the billing migration seeded are renamed, and only where the family has no row
-- of the same date already.
UPDATE "model_prices" AS p
SET "model" = rtrim(p."model", '*')
WHERE p."model" IN ('claude-sonnet-4-6*', 'claude-sonnet-4-5*', 'claude-haiku-4-5*', 'claude-opus-4-1*')
  AND NOT EXISTS (
    SELECT 1 FROM "model_prices" AS f
    WHERE f."model" = rtrim(p."model", '*') AND f."effective_from" = p."effective_from"
  );
