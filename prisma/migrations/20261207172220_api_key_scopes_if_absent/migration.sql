-- Key scopes (`act_for_users` lets a key name end users). The management-plane change owns this
-- column; this only adds it where that change has not, so it is a no-op after it.
ALTER TABLE "api_keys" ADD COLUMN IF NOT EXISTS "scopes" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
