#!/usr/bin/env node
// Builds libs/guardrails/data/pii.jsonl from the hand-written libs/guardrails/data/pii.source.txt:
// resolves the [[TYPE:value]] marks into character offsets (UTF-16 code units, as JavaScript
// strings index), fills check digits the author left as "?" (Luhn, IBAN mod-97, DNI/NIE letter)
// and random secret bodies from a seeded generator, and checks the result (every CARD passes
// Luhn, every IBAN mod-97, hard negatives of the "neg-luhn" kind really fail Luhn). Deterministic:
// the same source gives the same file. Usage: node scripts/guardrails/build-pii-data.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = join(root, 'libs', 'guardrails', 'data');
const source = readFileSync(join(dataDir, 'pii.source.txt'), 'utf8');

/** mulberry32: a small seeded generator, so the secrets are the same on every build. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(20261207);
const ALPHABETS = {
  r: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  R: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  d: '0123456789',
  h: '0123456789abcdef',
  b: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
};
const pick = (alphabet, n) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
const fillRandom = (value) =>
  value.replace(/\{b64\}/g, () => pick(ALPHABETS.b, 64)).replace(/\{([rRdhb])(\d+)\}/g, (_, kind, n) => pick(ALPHABETS[kind], Number(n)));

export function luhnValid(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
function luhnComplete(value) {
  const digits = value.replace(/\D/g, '');
  for (let d = 0; d <= 9; d += 1) if (luhnValid(digits + d)) return value.replace('?', String(d));
  throw new Error(`no Luhn digit for ${value}`);
}
function mod97(numeric) {
  let rest = 0;
  for (const ch of numeric) rest = (rest * 10 + Number(ch)) % 97;
  return rest;
}
const ibanNumeric = (s) => [...s.toUpperCase()].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c)).join('');
function ibanValid(value) {
  const compact = value.replace(/\s/g, '').toUpperCase();
  return mod97(ibanNumeric(compact.slice(4) + compact.slice(0, 4))) === 1;
}
function ibanComplete(value) {
  const compact = value.replace(/\s/g, '');
  const check = 98 - mod97(ibanNumeric(compact.slice(4) + compact.slice(0, 2) + '00'));
  return value.replace('??', String(check).padStart(2, '0'));
}
function dniComplete(value) {
  const body = value.replace(/[-?\s]/g, '').toUpperCase();
  const number = Number(body.replace(/^X/, '0').replace(/^Y/, '1').replace(/^Z/, '2'));
  return value.replace('?', 'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]);
}

const items = [];
const problems = [];
for (const [index, line] of source.split('\n').entries()) {
  if (line.trim() === '' || line.startsWith('#')) continue;
  const [note, lang, ...rest] = line.split('|');
  const raw = rest.join('|').replace(/\\n/g, '\n');
  let text = '';
  const entities = [];
  let cursor = 0;
  for (const match of raw.matchAll(/\[\[([A-Z_]+):(.*?)\]\]/gs)) {
    text += raw.slice(cursor, match.index);
    const type = match[1];
    let value = fillRandom(match[2]);
    if (type === 'CARD' && value.includes('?')) value = luhnComplete(value);
    if (type === 'IBAN' && value.includes('??')) value = ibanComplete(value);
    if (type === 'ES_DNI' && value.includes('?')) value = dniComplete(value);
    if (type === 'CARD' && !luhnValid(value.replace(/\D/g, ''))) problems.push(`line ${index + 1}: card ${value} fails Luhn`);
    if (type === 'IBAN' && !ibanValid(value)) problems.push(`line ${index + 1}: IBAN ${value} fails mod-97`);
    entities.push({ type, start: text.length, end: text.length + value.length, value });
    text += value;
    cursor = match.index + match[0].length;
  }
  text += raw.slice(cursor);
  if (text.includes('[[') || text.includes(']]')) problems.push(`line ${index + 1}: unbalanced mark`);
  if (note === 'neg-luhn') {
    for (const m of text.matchAll(/\d[\d -]{11,}\d/g)) {
      const digits = m[0].replace(/\D/g, '');
      if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) problems.push(`line ${index + 1}: hard negative ${m[0]} passes Luhn`);
    }
  }
  items.push({ text, lang, note, entities });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
const out = items.map((item) => JSON.stringify(item)).join('\n') + '\n';
const target = join(dataDir, 'pii.jsonl');
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== out) {
    console.error('pii.jsonl is out of date: run node scripts/guardrails/build-pii-data.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(target, out);
}
const byType = {};
for (const item of items) for (const e of item.entities) byType[e.type] = (byType[e.type] ?? 0) + 1;
console.log(`pii.jsonl: ${items.length} items, ${items.filter((i) => i.entities.length === 0).length} without entities`, byType);
