-- Tool calls survive the history window (issue 21): an assistant message keeps the calls it made,
-- a tool result the call it answers. The message's token count is counted once, when it is written,
-- so the history window sums numbers instead of tokenizing every message on every request.
ALTER TABLE "messages" ADD COLUMN "tool_calls" JSONB,
ADD COLUMN "tool_call_id" TEXT,
ADD COLUMN "content_tokens" INTEGER;

-- A session's rolling summary (memory policy `summaries`/`full`), one per session.
CREATE TABLE "session_summaries" (
    "session_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "summary" TEXT NOT NULL,
    "covers_message_id" UUID NOT NULL,
    "covers_created_at" TIMESTAMPTZ(3) NOT NULL,
    "covered_messages" INTEGER NOT NULL,
    "tokens" INTEGER NOT NULL,
    "model" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_summaries_pkey" PRIMARY KEY ("session_id")
);

-- AddForeignKey
ALTER TABLE "session_summaries" ADD CONSTRAINT "session_summaries_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
