-- Issue 13: collections are private to the user who created them by default; a tenant admin creates
-- tenant-shared ones (`visibility = 'tenant'`).


CREATE TYPE "CollectionVisibility" AS ENUM ('private', 'tenant');

ALTER TABLE "collections" ADD COLUMN "owner_user_id" UUID,
ADD COLUMN "scope_id" UUID,
ADD COLUMN "visibility" "CollectionVisibility" NOT NULL DEFAULT 'private';

-- Existing collections: one uploader (or none) -> private to that uploader; uploads from several
-- users -> `tenant` (what they were before), so nobody loses access to a shared collection; a
-- tenant admin reviews them (GET /v1/collections lists the visibility). Empty collections without
-- an uploader become `tenant` too (no owner to give them to).
WITH uploaders AS (
  SELECT collection_id, MIN(user_id::text)::uuid AS user_id, COUNT(DISTINCT user_id) AS users
    FROM "documents" GROUP BY collection_id
)
UPDATE "collections" c
   SET owner_user_id = CASE WHEN u.users = 1 THEN u.user_id END,
       visibility = CASE WHEN u.users = 1 THEN 'private'::"CollectionVisibility" ELSE 'tenant'::"CollectionVisibility" END,
       scope_id = CASE WHEN u.users = 1 THEN u.user_id ELSE c.tenant_id END
  FROM (SELECT c2.id, up.user_id, COALESCE(up.users, 0) AS users
          FROM "collections" c2 LEFT JOIN uploaders up ON up.collection_id = c2.id) u
 WHERE u.id = c.id;

ALTER TABLE "collections" ALTER COLUMN "scope_id" SET NOT NULL;

DROP INDEX "collections_tenant_id_name_key";
CREATE INDEX "collections_owner_user_id_idx" ON "collections"("owner_user_id");
CREATE UNIQUE INDEX "collections_tenant_id_scope_id_name_key" ON "collections"("tenant_id", "scope_id", "name");
ALTER TABLE "collections" ADD CONSTRAINT "collections_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Vector payloads carry the uploader (`user_id`), filtered on for private collections. Points of
-- the pgvector spaces (tables `vector_space_*` of this schema) get it here; Qdrant points written
-- before this change get it on reindex (see libs/vector-store/README.md).
DO $$
DECLARE space regclass;
BEGIN
  FOR space IN
    SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND c.relname LIKE 'vector\_space\_%' AND n.nspname = current_schema()
  LOOP
    EXECUTE format(
      'UPDATE %s v SET payload = v.payload || jsonb_build_object(''user_id'', d.user_id::text)
         FROM "documents" d WHERE d.id = v.document_id AND NOT (v.payload ? ''user_id'')', space);
  END LOOP;
END $$;

