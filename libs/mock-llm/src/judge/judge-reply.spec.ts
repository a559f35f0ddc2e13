import { DEFAULT_JUDGE_SCORE, judgeReply } from './judge-reply';

/** The reply text ('' when it is not a judge reply, which no test here expects). */
const reply = (text: string): string => judgeReply(text) ?? '';
const score = (text: string): number => (JSON.parse(reply(text)) as { score: number }).score;
const prompt = (rubric: string, judged: string) => `Conduit evaluation judge. Rubric: ${rubric} (v1)\n\nQuestion: q\n\nAnswer: ${judged}`;

describe('judgeReply', () => {
  it('is not a judge reply without the rubric line', () => {
    expect(judgeReply('Answer: [[score:2]]')).toBeUndefined();
  });

  it('answers JSON with the explanation before the score', () => {
    const text = reply(prompt('helpfulness', 'fine [[score:2]]'));
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['explanation', 'score']);
    expect(score(prompt('helpfulness', 'fine [[score:2]]'))).toBe(2);
    expect(text.indexOf('"explanation"')).toBeLessThan(text.indexOf('"score"'));
  });

  it('prefers a rubric-specific marker over a general one', () => {
    const text = prompt('safety', '[[score:5]] [[score:safety:1]]');
    expect(score(text)).toBe(1);
    expect(score(text.replace('Rubric: safety', 'Rubric: helpfulness'))).toBe(5);
  });

  it('maps quality markers and defaults without one', () => {
    expect(score(prompt('helpfulness', '[[quality:poor]]'))).toBe(1);
    expect(score(prompt('helpfulness', '[[quality:good]]'))).toBe(5);
    expect(score(prompt('helpfulness', 'plain'))).toBe(DEFAULT_JUDGE_SCORE);
  });

  it('answers prose that is not JSON on the unparseable marker, for all or one rubric', () => {
    expect(() => JSON.parse(reply(prompt('helpfulness', '[[judge:unparseable]]')))).toThrow();
    expect(() => JSON.parse(reply(prompt('safety', '[[judge:safety:unparseable]]')))).toThrow();
    expect(score(prompt('helpfulness', '[[judge:safety:unparseable]]'))).toBe(DEFAULT_JUDGE_SCORE);
  });

  it('is deterministic', () => {
    const text = prompt('faithfulness', 'x [[score:3]]');
    expect(judgeReply(text)).toBe(judgeReply(text));
  });
});
