import { capBytes } from './tool-loop';

describe('a tool result cut to max_result_bytes', () => {
  it('keeps a result within the cap as it is', () => {
    expect(capBytes('4', 256)).toEqual({ text: '4', truncated: false });
  });

  it('cuts at the byte cap without splitting a multi-byte character', () => {
    const cut = capBytes('aé'.repeat(200), 256);
    expect(cut.truncated).toBe(true);
    expect(Buffer.byteLength(cut.text, 'utf8')).toBeLessThanOrEqual(256);
    expect(cut.text).not.toContain('\uFFFD');
    expect(cut.text.startsWith('aéaé')).toBe(true);
  });
});
