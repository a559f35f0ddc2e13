import { z } from 'zod';
import type { ChatMessage } from '@conduit/llm';
import { type ExistingMemory, MAX_MEMORY_CHARS, MEMORY_KINDS, type MemoryOperation } from '@conduit/memory';

/** The first line of the extractor's user message (mock-llm's fact-extractor behaviour keys on it). */
export const EXTRACTOR_HEADER = 'Conduit memory extractor v1';
/** The most existing memories shown to the extractor. */
export const MAX_MEMORIES_IN_PROMPT = 200;
/** Longest part of a turn shown to the extractor (characters each). */
const MAX_TURN_CHARS = 8_000;

const EXTRACTOR_SYSTEM = `You maintain a user's long-term memory for an assistant.
From the latest turn, extract durable facts about the USER only: stable preferences, profile facts (name, role, location, language), and ongoing projects.
Ignore small talk, one-off requests, facts about other people, secrets and credentials, and anything the assistant said that the user did not confirm.
Compare with the existing memories and answer with JSON only, no prose:
{"operations":[{"op":"add","kind":"preference|profile|project|other","content":"..."},{"op":"update","id":"<existing id>","kind":"...","content":"..."},{"op":"delete","id":"<existing id>"}]}
- add: a new fact. Never add a fact that is already in memory (answer no operation for it).
- update: a fact that changes or contradicts an existing memory: give that memory's id and the new content (never delete it and add a new one).
- delete: only when the user explicitly asks to forget something.
- Write each fact as a short third-person sentence ("Prefers tea", "Name is Sam", "Working on the Conduit gateway").
- No facts: {"operations":[]}.`;

/** The extractor's request: instructions as system, the data (existing memories with short ids, the turn) as one user message. */
export function extractionMessages(existing: readonly ExistingMemory[], turn: { user: string; assistant: string }): { messages: ChatMessage[]; ids: Map<string, string> } {
  const ids = new Map<string, string>();
  const shown = existing.slice(-MAX_MEMORIES_IN_PROMPT).map((memory, i) => {
    const short = `m${i + 1}`;
    ids.set(short, memory.id);
    return { id: short, kind: memory.kind, content: memory.content };
  });
  const data = [
    EXTRACTOR_HEADER,
    'Existing memories (JSON):',
    JSON.stringify(shown),
    'Turn (JSON):',
    JSON.stringify({ user: turn.user.slice(0, MAX_TURN_CHARS), assistant: turn.assistant.slice(0, MAX_TURN_CHARS) }),
  ].join('\n');
  return { messages: [{ role: 'system', content: EXTRACTOR_SYSTEM }, { role: 'user', content: data }], ids };
}

const kind = z.enum(MEMORY_KINDS);
const content = z.string().trim().min(1).max(MAX_MEMORY_CHARS);
const id = z.string().min(1).max(64);

/** The extractor's answer. Extra fields (a `reason`) are ignored; anything else malformed rejects the whole answer. */
export const extractorAnswerSchema = z.object({
  operations: z
    .array(
      z.discriminatedUnion('op', [
        z.object({ op: z.literal('add'), kind, content }),
        z.object({ op: z.literal('update'), id, kind, content }),
        z.object({ op: z.literal('delete'), id }),
        z.object({ op: z.literal('none') }),
      ]),
    )
    .max(50),
});

export type ParsedExtraction = { ok: true; operations: MemoryOperation[] } | { ok: false; reason: string };

/** Parses and validates the answer (a JSON code fence around it is accepted), mapping short ids back to memory ids. */
export function parseExtraction(text: string, ids: ReadonlyMap<string, string>): ParsedExtraction {
  const body = text.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = extractorAnswerSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues[0]?.message ?? 'wrong shape' };
  const operations = parsed.data.operations.map((operation): MemoryOperation => {
    if (operation.op === 'update' || operation.op === 'delete') return { ...operation, id: ids.get(operation.id) ?? operation.id };
    return operation;
  });
  return { ok: true, operations };
}
