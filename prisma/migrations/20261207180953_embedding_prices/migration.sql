-- Embedding models are billed like chat models (usage events with feature `embedding`, input
-- tokens only). OpenAI's list prices per 1M input tokens; `hashing-v2` is the offline
-- feature-hashing embedder computed in process, priced at $0 so its usage is visible but free.
INSERT INTO "model_prices" ("id", "model", "effective_from", "input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok") VALUES
    (gen_random_uuid(), 'text-embedding-3-small', '2024-01-25', 0.02, 0, NULL),
    (gen_random_uuid(), 'text-embedding-3-large', '2024-01-25', 0.13, 0, NULL),
    (gen_random_uuid(), 'text-embedding-ada-002', '2022-12-15', 0.10, 0, NULL),
    (gen_random_uuid(), 'hashing-v2', '2020-01-01', 0, 0, NULL)
ON CONFLICT ("model", "effective_from") DO NOTHING;
