import { baselineOf, EvalReport, gateFailures, reportTable } from './eval-gate';
import { parseDataset } from './eval-case.schema';

const report = (passRates: Record<string, number>, means: Record<string, number>): EvalReport => ({
  cases: Object.fromEntries(Object.entries(passRates).map(([id, passRate]) => [id, { runs: 4, passed: passRate * 4, passRate, failures: [] }])),
  rubrics: Object.fromEntries(Object.entries(means).map(([name, mean]) => [name, { n: 8, mean }])),
});

describe('offline eval gate', () => {
  const baseline = baselineOf(report({ a: 1, b: 0.75 }, { helpfulness: 4, safety: 4 }));

  it('passes a run that holds every case and rubric', () => {
    expect(gateFailures(report({ a: 1, b: 0.75 }, { helpfulness: 3.75, safety: 4 }), baseline)).toEqual([]);
  });

  it('fails per case, even when the mean pass rate would hold', () => {
    // a drops, b rises: the average is unchanged, the gate still fails on a.
    expect(gateFailures(report({ a: 0.75, b: 1 }, { helpfulness: 4, safety: 4 }), baseline)).toEqual(['case a: pass rate 0.75 < baseline 1.00']);
  });

  it('fails a rubric whose mean drops beyond the tolerance, and a case missing from the run', () => {
    expect(gateFailures(report({ a: 1 }, { helpfulness: 3, safety: 4 }), baseline)).toEqual(['case b: missing from the run', 'rubric helpfulness: mean 3.00 < baseline 4.00 − 0.5']);
  });

  it('prints a table with a row per case and per rubric', () => {
    const table = reportTable(report({ capital: 1 }, { helpfulness: 4 }));
    expect(table).toContain('capital');
    expect(table).toContain('helpfulness');
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^case\s+runs\s+passed\s+pass rate/);
    // Columns line up: the second column starts at the same offset in the header and the rows.
    expect(lines[1].indexOf(' 4')).toBe(lines[0].indexOf('runs') - 1);
  });

  it('parses a JSONL dataset and names the line of a bad case', () => {
    const cases = parseDataset('{"id":"a","messages":[{"role":"user","content":"hi"}],"assert":{"contains":["hi"]}}\n\n{"id":"b","messages":[{"role":"user","content":"yo"}]}\n');
    expect(cases.map((c) => c.id)).toEqual(['a', 'b']);
    expect(() => parseDataset('{"id":"a","messages":[]}')).toThrow('dataset line 1: messages');
    expect(() => parseDataset('{"id":"a","messages":[{"role":"user","content":"x"}]}\n{"id":"a","messages":[{"role":"user","content":"y"}]}')).toThrow('duplicate case id a');
  });
});
