-- CreateTable
CREATE TABLE "eval_scores" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "rubric" TEXT NOT NULL,
    "rubric_version" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "judge_model" TEXT,
    "model" TEXT NOT NULL,
    "template_version" TEXT,
    "score" DOUBLE PRECISION,
    "explanation" TEXT,
    "status" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "cost_usd" DECIMAL(14,8) NOT NULL DEFAULT 0,
    "latency_ms" INTEGER,
    "turn_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "eval_scores_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "eval_aggregates" (
    "id" UUID NOT NULL,
    "dimension_key" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "template_version" TEXT,
    "model" TEXT NOT NULL,
    "rubric" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "n" INTEGER NOT NULL,
    "sum" DOUBLE PRECISION NOT NULL,
    "sum_sq" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "eval_aggregates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "eval_alerts" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "dimension" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "rubric" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "baseline_mean" DOUBLE PRECISION NOT NULL,
    "baseline_n" INTEGER NOT NULL,
    "recent_mean" DOUBLE PRECISION NOT NULL,
    "recent_n" INTEGER NOT NULL,
    "p_value" DOUBLE PRECISION NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notified_at" TIMESTAMPTZ(3),

    CONSTRAINT "eval_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "eval_scores_tenant_id_created_at_idx" ON "eval_scores"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "eval_scores_tenant_id_turn_at_idx" ON "eval_scores"("tenant_id", "turn_at");

-- CreateIndex
CREATE UNIQUE INDEX "eval_scores_message_id_rubric_key" ON "eval_scores"("message_id", "rubric");

-- CreateIndex
CREATE UNIQUE INDEX "eval_aggregates_dimension_key_key" ON "eval_aggregates"("dimension_key");

-- CreateIndex
CREATE INDEX "eval_aggregates_tenant_id_rubric_day_idx" ON "eval_aggregates"("tenant_id", "rubric", "day");

-- CreateIndex
CREATE UNIQUE INDEX "eval_alerts_dedupe_key_key" ON "eval_alerts"("dedupe_key");

-- CreateIndex
CREATE INDEX "eval_alerts_tenant_id_created_at_idx" ON "eval_alerts"("tenant_id", "created_at");

-- AddForeignKey
ALTER TABLE "eval_scores" ADD CONSTRAINT "eval_scores_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "eval_aggregates" ADD CONSTRAINT "eval_aggregates_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "eval_alerts" ADD CONSTRAINT "eval_alerts_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
