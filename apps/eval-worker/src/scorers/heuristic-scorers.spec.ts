import { HeuristicRubric } from '@conduit/evaluation';
import { heuristicScores, ScoredTurn } from './heuristic-scorers';

const turn = (overrides: Partial<ScoredTurn> = {}): ScoredTurn => ({ answer: 'Paris is the capital of France.', sourceCount: 0, responseFormat: null, latencyMs: 120, costUsd: 0.002, ...overrides });
const scoreOf = (scores: ReturnType<typeof heuristicScores>, rubric: string) => scores.find((s) => s.rubric === rubric)?.score;

describe('heuristic scorers', () => {
  it('passes a plain good answer and records latency and cost', () => {
    const scores = heuristicScores(turn());
    expect(scoreOf(scores, HeuristicRubric.NonEmpty)).toBe(1);
    expect(scoreOf(scores, HeuristicRubric.NoRefusal)).toBe(1);
    expect(scoreOf(scores, HeuristicRubric.LatencyMs)).toBe(120);
    expect(scoreOf(scores, HeuristicRubric.CostUsd)).toBe(0.002);
    // Not applicable: no sources, no JSON asked for.
    expect(scoreOf(scores, HeuristicRubric.CitationPresent)).toBeUndefined();
    expect(scoreOf(scores, HeuristicRubric.JsonValid)).toBeUndefined();
  });

  it('fails an empty answer', () => {
    expect(scoreOf(heuristicScores(turn({ answer: '  \n' })), HeuristicRubric.NonEmpty)).toBe(0);
  });

  it('fails a refusal', () => {
    for (const answer of ["I'm sorry, but I can't help with that.", 'I cannot assist with this request.', 'As an AI language model, I cannot do that.']) {
      expect(scoreOf(heuristicScores(turn({ answer })), HeuristicRubric.NoRefusal)).toBe(0);
    }
  });

  it('checks for a citation only when sources were given', () => {
    expect(scoreOf(heuristicScores(turn({ sourceCount: 2, answer: 'It is Paris [1].' })), HeuristicRubric.CitationPresent)).toBe(1);
    expect(scoreOf(heuristicScores(turn({ sourceCount: 2, answer: 'It is Paris.' })), HeuristicRubric.CitationPresent)).toBe(0);
  });

  it('checks JSON only when JSON was asked for', () => {
    expect(scoreOf(heuristicScores(turn({ responseFormat: 'json_object', answer: '{"city":"Paris"}' })), HeuristicRubric.JsonValid)).toBe(1);
    expect(scoreOf(heuristicScores(turn({ responseFormat: 'json_object', answer: 'city: Paris' })), HeuristicRubric.JsonValid)).toBe(0);
  });

  it('leaves latency out when it is unknown', () => {
    expect(scoreOf(heuristicScores(turn({ latencyMs: null })), HeuristicRubric.LatencyMs)).toBeUndefined();
  });
});
