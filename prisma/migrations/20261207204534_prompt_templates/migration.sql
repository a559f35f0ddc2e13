-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "prompt_name" TEXT,
ADD COLUMN     "prompt_version" INTEGER;

-- AlterTable
ALTER TABLE "usage_events" ADD COLUMN     "prompt_name" TEXT,
ADD COLUMN     "prompt_version" INTEGER;

-- CreateTable
CREATE TABLE "prompt_templates" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prompt_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prompt_versions" (
    "template_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "messages" JSONB NOT NULL,
    "variables" JSONB NOT NULL DEFAULT '{}',
    "default_model" TEXT,
    "params" JSONB NOT NULL DEFAULT '{}',
    "tools" JSONB,
    "author_id" TEXT,
    "commit_message" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prompt_versions_pkey" PRIMARY KEY ("template_id","version")
);

-- CreateTable
CREATE TABLE "prompt_labels" (
    "template_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "experiment" JSONB,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,

    CONSTRAINT "prompt_labels_pkey" PRIMARY KEY ("template_id","name")
);

-- CreateTable
CREATE TABLE "prompt_label_events" (
    "id" BIGSERIAL NOT NULL,
    "template_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "from_version" INTEGER,
    "to_version" INTEGER,
    "experiment" JSONB,
    "actor" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prompt_label_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "prompt_templates_tenant_id_name_key" ON "prompt_templates"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "prompt_label_events_template_id_created_at_idx" ON "prompt_label_events"("template_id", "created_at");

-- AddForeignKey
ALTER TABLE "prompt_templates" ADD CONSTRAINT "prompt_templates_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prompt_versions" ADD CONSTRAINT "prompt_versions_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "prompt_templates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prompt_labels" ADD CONSTRAINT "prompt_labels_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "prompt_templates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prompt_label_events" ADD CONSTRAINT "prompt_label_events_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "prompt_templates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Versions are immutable: no statement may change one (PromptStore never does; this makes it a
-- property of the database). Deleting (a tenant's cascade) stays possible.
CREATE FUNCTION "prompt_versions_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'prompt versions are immutable (template %, version %)', OLD.template_id, OLD.version
    USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER "prompt_versions_immutable" BEFORE UPDATE ON "prompt_versions"
  FOR EACH ROW EXECUTE FUNCTION "prompt_versions_immutable"();
