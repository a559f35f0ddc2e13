import { PiiScanner } from '../pii/pii-scanner';
import { PlaceholderVault, restore } from './placeholders';
import { redact } from './redact';
import { StreamingRestorer } from './streaming-restorer';

const scanner = new PiiScanner();
const text = 'Mail ana@example.com or call +44 20 7946 0958; again: ana@example.com. Card 4539 1488 0343 6467.';

describe('redact / restore', () => {
  it('replaces values with typed placeholders, the same value with the same one, and restores them', () => {
    const result = redact(text, { EMAIL: 'redact', PHONE: 'redact' }, scanner);
    expect(result.blocked).toBe(false);
    expect(result.text).toBe('Mail <EMAIL_1> or call <PHONE_1>; again: <EMAIL_1>. Card 4539 1488 0343 6467.');
    expect(result.vault.toJSON()).toEqual({ '<EMAIL_1>': 'ana@example.com', '<PHONE_1>': '+44 20 7946 0958' });
    expect(restore(result.text, result.vault)).toBe(text);
  });

  it('numbers placeholders per type across messages of one request (shared vault)', () => {
    const vault = new PlaceholderVault();
    redact('a@example.com', { EMAIL: 'redact' }, scanner, vault);
    const second = redact('b@example.com and a@example.com', { EMAIL: 'redact' }, scanner, vault);
    expect(second.text).toBe('<EMAIL_2> and <EMAIL_1>');
  });

  it('mask is never restored', () => {
    const result = redact(text, { CARD: 'mask', EMAIL: 'redact' }, scanner);
    expect(result.text).toContain('Card [redacted:card].');
    const restored = restore(result.text, result.vault);
    expect(restored).not.toContain('4539');
    expect(restored).toContain('ana@example.com');
  });

  it('block signals a block and changes nothing', () => {
    const result = redact(text, { CARD: 'block', EMAIL: 'redact' }, scanner);
    expect(result.blocked).toBe(true);
    expect(result.text).toBe(text);
    expect(result.entities.filter((e) => e.action === 'block').map((e) => e.type)).toEqual(['CARD']);
  });

  it('leaves placeholders the vault never issued', () => {
    const vault = PlaceholderVault.fromJSON({ '<EMAIL_1>': 'x@example.com' });
    expect(restore('<EMAIL_1> <EMAIL_7> <b>', vault)).toBe('x@example.com <EMAIL_7> <b>');
  });
});

describe('StreamingRestorer', () => {
  const vault = PlaceholderVault.fromJSON({ '<EMAIL_1>': 'ana@example.com', '<IP_ADDRESS_12>': '10.0.0.1' });
  const answer = 'Write to <EMAIL_1> from <IP_ADDRESS_12>, <b>not</b> a < b.';
  const expected = 'Write to ana@example.com from 10.0.0.1, <b>not</b> a < b.';

  const run = (chunks: string[]) => {
    const restorer = new StreamingRestorer(vault);
    return chunks.map((c) => restorer.push(c)).join('') + restorer.flush();
  };

  it('restores a placeholder split at every position across two chunks', () => {
    for (let i = 0; i <= answer.length; i += 1) expect(run([answer.slice(0, i), answer.slice(i)])).toBe(expected);
  });

  it('restores placeholders split across three chunks at every pair of positions', () => {
    for (let i = 0; i <= answer.length; i += 1) {
      for (let j = i; j <= answer.length; j += 1) expect(run([answer.slice(0, i), answer.slice(i, j), answer.slice(j)])).toBe(expected);
    }
  });

  it('restores with one-character chunks and holds back only a possible placeholder prefix', () => {
    expect(run([...answer])).toBe(expected);
    const restorer = new StreamingRestorer(vault);
    expect(restorer.push('Hello <EMA')).toBe('Hello ');
    expect(restorer.push('IL_1> and <')).toBe('ana@example.com and ');
    expect(restorer.push('div>')).toBe('<div>');
    expect(restorer.push(' x <EMAIL_1')).toBe(' x ');
    expect(restorer.flush()).toBe('<EMAIL_1');
  });
});
