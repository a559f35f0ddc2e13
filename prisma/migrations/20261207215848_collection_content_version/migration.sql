-- AlterTable
ALTER TABLE "collections" ADD COLUMN     "content_version" INTEGER NOT NULL DEFAULT 0;

-- Every change of a collection's documents bumps its content version, whichever writer made it
-- (ingestion's finish, a delete, a re-ingestion, a user's or tenant's erasure by cascade): the
-- retrieval cache keys on it, so a changed collection is never answered from the cache. Progress
-- updates (chunks done) do not bump it: only the rows' existence, status, attempt and collection.
CREATE FUNCTION "bump_collection_content_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "collections" SET "content_version" = "content_version" + 1 WHERE "id" = OLD."collection_id";
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW."collection_id" IS DISTINCT FROM OLD."collection_id") THEN
    UPDATE "collections" SET "content_version" = "content_version" + 1 WHERE "id" = NEW."collection_id";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "documents_content_version_rows"
  AFTER INSERT OR DELETE ON "documents"
  FOR EACH ROW EXECUTE FUNCTION "bump_collection_content_version"();

CREATE TRIGGER "documents_content_version_changes"
  AFTER UPDATE OF "status", "attempts", "collection_id" ON "documents"
  FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."attempts" IS DISTINCT FROM NEW."attempts" OR OLD."collection_id" IS DISTINCT FROM NEW."collection_id")
  EXECUTE FUNCTION "bump_collection_content_version"();
