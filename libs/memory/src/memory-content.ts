import { createHash } from 'node:crypto';

/** What a memory is about. */
export const MEMORY_KINDS = ['preference', 'profile', 'project', 'other'] as const;
export type MemoryKind = (typeof MEMORY_KINDS)[number];

/** Longest memory kept (characters); a fact is a sentence, not a document. */
export const MAX_MEMORY_CHARS = 500;

/**
 * The form two memories are compared in: Unicode-normalised, lower-cased, runs of white space made
 * one space, and final punctuation dropped — so "Prefers tea." and "prefers  tea" are the same fact.
 */
export function normaliseMemory(content: string): string {
  return content
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!?;,\s]+$/u, '');
}

/** SHA-256 (hex) of the normalised content: the duplicate check. */
export function memoryHash(content: string): string {
  return createHash('sha256').update(normaliseMemory(content), 'utf8').digest('hex');
}

/** Text as stored: trimmed, white space collapsed, cut at {@link MAX_MEMORY_CHARS}. */
export function cleanMemory(content: string): string {
  return content.replace(/\s+/g, ' ').trim().slice(0, MAX_MEMORY_CHARS);
}

/** Rough token count of a memory line, for the recall budget (characters / 4, at least 1). */
export function memoryTokens(content: string): number {
  return Math.max(1, Math.ceil(content.length / 4));
}
