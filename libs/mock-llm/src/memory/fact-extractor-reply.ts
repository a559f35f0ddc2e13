/**
 * Fact-extractor mode: a request whose last user message has the line `Conduit memory extractor v1`
 * (what the chat orchestrator's memory extraction sends) gets the operations JSON the extractor
 * expects, derived deterministically from the turn's user text and the existing memories in the
 * prompt. Sentences of the user text (split on `.`, `!`, `?`, `;` and new lines) are read as:
 *
 * - `I prefer X` / `I now prefer X` / `I like X` → preference `Prefers X`;
 * - `My name is X` → profile `Name is X`; `I live in X` → profile `Lives in X`;
 * - `I'm working on X` / `I am working on X` → project `Working on X`;
 * - `Forget that <statement>` → `delete` of the memory the statement gives (or, failing that, the
 *   first memory containing its words).
 *
 * A fact whose memory exists already is answered as an `add` again (as a careless model would: the
 * reconciliation must make it a no-op); one whose kind of memory exists with other content
 * (`Prefers …`, `Name is …`, `Lives in …`, `Working on …`) is an `update` of that memory. Directives in
 * the user text:
 *
 * - `[[memory:malformed]]` — the answer is not JSON;
 * - `[[memory:invalid]]` — JSON in the wrong shape (an unknown operation);
 * - `[[memory:delete-add]]` — a changed fact is answered as `delete` + `add` instead of `update`;
 * - `[[memory:dup-delete]]` — a repeated fact is answered as `delete` of the memory + `add` (mem0#1674).
 *
 * Same prompt, same answer.
 */
export const EXTRACTOR_PROMPT_PATTERN = /^Conduit memory extractor v1$/m;

interface Memory {
  id: string;
  kind: string;
  content: string;
}

interface Fact {
  kind: 'preference' | 'profile' | 'project';
  /** The prefix every memory of this slot starts with. */
  slot: string;
  content: string;
}

type Operation = { op: 'add'; kind: string; content: string } | { op: 'update'; id: string; kind: string; content: string } | { op: 'delete'; id: string };

const STATEMENTS: { pattern: RegExp; kind: Fact['kind']; slot: string }[] = [
  { pattern: /^(?:actually,?\s+)?i\s+(?:now\s+|really\s+)?(?:prefer|like|love)\s+(.+)$/i, kind: 'preference', slot: 'Prefers' },
  { pattern: /^(?:actually,?\s+)?my\s+name\s+is\s+(.+)$/i, kind: 'profile', slot: 'Name is' },
  { pattern: /^(?:actually,?\s+)?i\s+(?:now\s+)?live\s+in\s+(.+)$/i, kind: 'profile', slot: 'Lives in' },
  { pattern: /^(?:actually,?\s+)?(?:i'm|i’m|i\s+am)\s+(?:now\s+)?working\s+on\s+(.+)$/i, kind: 'project', slot: 'Working on' },
];

const norm = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim().replace(/[.!?;,\s]+$/u, '');

export function parseStatement(sentence: string): Fact | undefined {
  for (const { pattern, kind, slot } of STATEMENTS) {
    const match = pattern.exec(sentence.trim());
    const value = match?.[1]?.trim().replace(/[.!?;,\s]+$/u, '');
    if (value) return { kind, slot, content: `${slot} ${value}` };
  }
  return undefined;
}

function sectionAfter<T>(lines: string[], heading: string, fallback: T): T {
  const at = lines.indexOf(heading);
  if (at === -1 || at + 1 >= lines.length) return fallback;
  try {
    return JSON.parse(lines[at + 1] as string) as T;
  } catch {
    return fallback;
  }
}

/** The extractor's reply, or undefined when the text is not an extractor prompt. */
export function factExtractorReply(text: string): string | undefined {
  if (!EXTRACTOR_PROMPT_PATTERN.test(text)) return undefined;
  const lines = text.split('\n');
  const existing = sectionAfter<Memory[]>(lines, 'Existing memories (JSON):', []);
  const turn = sectionAfter<{ user?: string }>(lines, 'Turn (JSON):', {});
  const user = turn.user ?? '';
  if (user.includes('[[memory:malformed]]')) return 'Here are the facts I found: {"operations": [{"op": "add", "kind": "preference"';
  if (user.includes('[[memory:invalid]]')) return JSON.stringify({ operations: [{ op: 'replace', content: 'everything' }] });
  const deleteAdd = user.includes('[[memory:delete-add]]');
  const dupDelete = user.includes('[[memory:dup-delete]]');
  const memories = [...existing];
  const operations: Operation[] = [];
  const sentences = user.replace(/\[\[memory:[a-z-]+\]\]/g, '').split(/[.!?;\n]+/).map((s) => s.trim()).filter((s) => s !== '');
  for (const sentence of sentences) {
    const forget = /^(?:please\s+)?forget\s+(?:that\s+|about\s+)?(.+)$/i.exec(sentence);
    if (forget) {
      const target = forgetTarget(memories, forget[1] as string);
      if (target) {
        operations.push({ op: 'delete', id: target.id });
        memories.splice(memories.indexOf(target), 1);
      }
      continue;
    }
    const fact = parseStatement(sentence);
    if (!fact) continue;
    const same = memories.find((memory) => norm(memory.content) === norm(fact.content));
    if (same) {
      if (dupDelete) operations.push({ op: 'delete', id: same.id });
      operations.push({ op: 'add', kind: fact.kind, content: fact.content });
      continue;
    }
    const slot = memories.find((memory) => memory.content.startsWith(`${fact.slot} `));
    if (slot) {
      if (deleteAdd) operations.push({ op: 'delete', id: slot.id }, { op: 'add', kind: fact.kind, content: fact.content });
      else operations.push({ op: 'update', id: slot.id, kind: fact.kind, content: fact.content });
      slot.content = fact.content;
      continue;
    }
    operations.push({ op: 'add', kind: fact.kind, content: fact.content });
    memories.push({ id: `new${memories.length}`, kind: fact.kind, content: fact.content });
  }
  return JSON.stringify({ operations });
}

function forgetTarget(memories: Memory[], statement: string): Memory | undefined {
  const fact = parseStatement(statement);
  if (fact) {
    const exact = memories.find((memory) => norm(memory.content) === norm(fact.content));
    if (exact) return exact;
  }
  const words = norm(statement).split(' ').filter((word) => word.length > 2 && !['that', 'the', 'my', 'about'].includes(word));
  return memories.find((memory) => words.length > 0 && words.every((word) => norm(memory.content).includes(word)));
}
