import { buildGroundedPrompt, DEFAULT_GROUNDING_INSTRUCTIONS, groundingSources } from './grounded-prompt';
import type { RetrievedChunk } from './retrieved-chunk';

const chunk = (n: number, overrides: Partial<RetrievedChunk> = {}): RetrievedChunk => ({
  document_id: `00000000-0000-4000-8000-00000000000${n}`,
  chunk_index: n,
  text: `  Passage number ${n}.  `,
  score: 1 - n / 10,
  filename: `file-${n}.pdf`,
  start_offset: 0,
  end_offset: 10,
  ...overrides,
});

describe('buildGroundedPrompt', () => {
  it('numbers sources in the given order and tells the model to cite them', () => {
    const message = buildGroundedPrompt([chunk(0), chunk(3, { filename: undefined })]);
    expect(message.role).toBe('system');
    expect(message.content).toBe(
      `${DEFAULT_GROUNDING_INSTRUCTIONS}\n\nSources:\n\n[1] (file-0.pdf, part 1)\nPassage number 0.\n\n` +
        '[2] (document 00000000-0000-4000-8000-000000000003, part 4)\nPassage number 3.',
    );
    expect(message.content).toMatch(/cite it by its number in square brackets/);
  });

  it('says when nothing was found instead of listing sources', () => {
    expect(buildGroundedPrompt([]).content).toMatch(/Sources: none\./);
  });

  it('keeps whole chunks within the character budget, always the first', () => {
    const long = [chunk(1, { text: 'a'.repeat(50) }), chunk(2, { text: 'b'.repeat(50) }), chunk(3, { text: 'c'.repeat(10) })];
    expect(groundingSources(long, { maxSourceChars: 60 }).map((c) => c.chunk_index)).toEqual([1]);
    expect(groundingSources(long, { maxSourceChars: 100 }).map((c) => c.chunk_index)).toEqual([1, 2]);
    expect(groundingSources(long, { maxSourceChars: 10 }).map((c) => c.chunk_index)).toEqual([1]);
    const message = buildGroundedPrompt(long, { maxSourceChars: 100, instructions: 'Use sources.' });
    expect(message.content).toMatch(/^Use sources\.\n\nSources:/);
    expect(message.content).toContain('[2] (file-2.pdf, part 3)');
    expect(message.content).not.toContain('[3]');
  });
});
