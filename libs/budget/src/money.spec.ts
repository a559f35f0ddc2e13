import { decimalToNano, displayUsd, nanoToDecimalString, toNano, toNanoCeil } from './money';
import { windowOf } from './windows';

describe('money in nano-dollars', () => {
  it('round-trips between USD, nano-dollars and nine-place decimals', () => {
    expect(toNano(0.000045)).toBe(45_000);
    expect(toNanoCeil(0.0000000011)).toBe(2);
    expect(toNanoCeil(0.000045)).toBe(45_000);
    expect(nanoToDecimalString(1_234_567_890_123)).toBe('1234.567890123');
    expect(nanoToDecimalString(5)).toBe('0.000000005');
    expect(decimalToNano('1234.567890123')).toBe(1_234_567_890_123);
    expect(decimalToNano('0.5')).toBe(500_000_000);
    expect(decimalToNano({ toFixed: () => '2.000000001' })).toBe(2_000_000_001);
    expect(decimalToNano(null)).toBe(0);
    expect(displayUsd(1_234_567)).toBe(0.001235);
  });
});

describe('budget windows (UTC)', () => {
  it('cuts days and months in UTC and resets at the next boundary', () => {
    const at = new Date('2026-12-31T23:59:59.999Z');
    expect(windowOf('daily', at)).toMatchObject({ id: '20261231', end: new Date('2027-01-01T00:00:00Z') });
    expect(windowOf('monthly', at)).toMatchObject({ id: '202612', start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
    expect(windowOf('daily', new Date('2027-01-01T00:00:00Z')).id).toBe('20270101');
  });
});
