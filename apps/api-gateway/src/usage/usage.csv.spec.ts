import { csvField, usageCsv } from './usage.csv';
import type { UsageReport } from './usage.dto';

describe('usage CSV export', () => {
  it('quotes fields that need it and neutralises spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(null)).toBe('');
    expect(csvField(0.0001)).toBe('0.000100000');
    expect(csvField(42)).toBe('42');
  });

  it('has a column per grouped dimension, then the measures', () => {
    const report: UsageReport = {
      object: 'usage',
      start: '2026-11-01',
      end: '2026-11-22',
      group_by: ['day', 'model'],
      data: [{ date: '2026-11-02', model: 'gpt-4.1', requests: 2, input_tokens: 10, output_tokens: 5, cached_tokens: 0, cost_usd: 0.00006, cache_hits: 1, cost_saved_usd: 0.00003 }],
      totals: { requests: 2, input_tokens: 10, output_tokens: 5, cached_tokens: 0, cost_usd: 0.00006, cache_hits: 1, cost_saved_usd: 0.00003 },
    };
    expect(usageCsv(report)).toBe(
      'date,model,requests,input_tokens,output_tokens,cached_tokens,cost_usd,cache_hits,cost_saved_usd\r\n2026-11-02,gpt-4.1,2,10,5,0,0.000060000,1,0.000030000\r\n',
    );
  });
});
