-- CreateEnum
CREATE TYPE "BudgetScope" AS ENUM ('tenant', 'user');

-- CreateEnum
CREATE TYPE "BudgetPeriod" AS ENUM ('daily', 'monthly');

-- AlterTable
ALTER TABLE "usage_events" ADD COLUMN     "cached_input_usd_per_mtok" DECIMAL(14,6),
ADD COLUMN     "cost_usd" DECIMAL(18,9) NOT NULL DEFAULT 0,
ADD COLUMN     "input_usd_per_mtok" DECIMAL(14,6),
ADD COLUMN     "output_usd_per_mtok" DECIMAL(14,6),
ADD COLUMN     "price_effective_from" DATE,
ADD COLUMN     "price_model" TEXT,
ADD COLUMN     "priced" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "reservation_id" TEXT;

-- CreateTable
CREATE TABLE "model_prices" (
    "id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "effective_from" DATE NOT NULL,
    "input_usd_per_mtok" DECIMAL(14,6) NOT NULL,
    "output_usd_per_mtok" DECIMAL(14,6) NOT NULL,
    "cached_input_usd_per_mtok" DECIMAL(14,6),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_prices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "budget_caps" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "scope" "BudgetScope" NOT NULL,
    "subject_id" UUID NOT NULL,
    "user_id" UUID,
    "period" "BudgetPeriod" NOT NULL,
    "cap_usd" DECIMAL(14,6),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "budget_caps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_daily" (
    "tenant_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "model" TEXT NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(20,9) NOT NULL DEFAULT 0,

    CONSTRAINT "usage_daily_pkey" PRIMARY KEY ("tenant_id","user_id","day","model")
);

-- CreateTable
CREATE TABLE "usage_hourly" (
    "tenant_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(20,9) NOT NULL DEFAULT 0,

    CONSTRAINT "usage_hourly_pkey" PRIMARY KEY ("tenant_id","hour")
);

-- CreateTable
CREATE TABLE "cost_alerts" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "scope" "BudgetScope" NOT NULL,
    "subject_id" UUID NOT NULL,
    "period" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "threshold_pct" INTEGER,
    "cap_usd" DECIMAL(14,6),
    "spend_usd" DECIMAL(20,9) NOT NULL,
    "baseline_usd" DECIMAL(20,9),
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notified_at" TIMESTAMPTZ(3),

    CONSTRAINT "cost_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "model_prices_model_effective_from_key" ON "model_prices"("model", "effective_from");

-- CreateIndex
CREATE INDEX "budget_caps_tenant_id_idx" ON "budget_caps"("tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "budget_caps_scope_subject_id_period_key" ON "budget_caps"("scope", "subject_id", "period");

-- CreateIndex
CREATE INDEX "usage_daily_tenant_id_day_idx" ON "usage_daily"("tenant_id", "day");

-- CreateIndex
CREATE UNIQUE INDEX "cost_alerts_dedupe_key_key" ON "cost_alerts"("dedupe_key");

-- CreateIndex
CREATE INDEX "cost_alerts_tenant_id_created_at_idx" ON "cost_alerts"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "usage_events_tenant_id_user_id_occurred_at_idx" ON "usage_events"("tenant_id", "user_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "budget_caps" ADD CONSTRAINT "budget_caps_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "budget_caps" ADD CONSTRAINT "budget_caps_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_hourly" ADD CONSTRAINT "usage_hourly_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cost_alerts" ADD CONSTRAINT "cost_alerts_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Seed the pricing table with list prices (USD per 1M tokens) as published at the dates given;
-- the same values as @conduit/llm's built-in table. Change prices by adding rows with a later
-- effective_from (`npm run admin -- set-price ...`), never by editing these.
INSERT INTO "model_prices" ("id", "model", "effective_from", "input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok") VALUES
    (gen_random_uuid(), 'claude-sonnet-4-6*', '2026-02-17', 3, 15, 0.3),
    (gen_random_uuid(), 'claude-sonnet-4-5*', '2025-09-29', 3, 15, 0.3),
    (gen_random_uuid(), 'claude-haiku-4-5*', '2025-10-15', 1, 5, 0.1),
    (gen_random_uuid(), 'claude-opus-4-1*', '2025-08-05', 15, 75, 1.5),
    (gen_random_uuid(), 'gpt-4.1', '2025-04-14', 2, 8, 0.5),
    (gen_random_uuid(), 'gpt-4.1-mini', '2025-04-14', 0.4, 1.6, 0.1),
    (gen_random_uuid(), 'gpt-4.1-nano', '2025-04-14', 0.1, 0.4, 0.025),
    (gen_random_uuid(), 'gpt-4o', '2024-08-06', 2.5, 10, 1.25),
    (gen_random_uuid(), 'gpt-4o-mini', '2024-07-18', 0.15, 0.6, 0.075)
ON CONFLICT ("model", "effective_from") DO NOTHING;
