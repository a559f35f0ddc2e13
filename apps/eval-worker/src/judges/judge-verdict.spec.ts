import { parseVerdict } from './judge-verdict';

describe('parseVerdict', () => {
  it('reads the explanation and the score', () => {
    expect(parseVerdict('{"explanation":"clear and correct","score":5}')).toEqual({ status: 'ok', score: 5, explanation: 'clear and correct' });
    expect(parseVerdict('```json\n{"explanation":"ok","score":3}\n```')).toEqual({ status: 'ok', score: 3, explanation: 'ok' });
  });

  it('records prose, a score out of range, a missing explanation or a score before the explanation as unparseable', () => {
    for (const text of [
      'I think it deserves a 4.',
      '{"explanation":"x","score":9}',
      '{"score":4}',
      '{"score":4,"explanation":"scored first"}',
      '{"explanation":"x","score":"4"}',
    ]) {
      expect(parseVerdict(text).status).toBe('unparseable');
    }
    expect(parseVerdict('no json').explanation).toBe('no json');
  });
});
