import { z } from 'zod';

/**
 * One cached answer, as stored: the model's own text (before answer filters that are per request,
 * such as restoring redacted placeholders), how it ended, who produced it and what it cost, so a
 * hit can report the usage and the saving.
 */
export const cacheEntrySchema = z.object({
  v: z.literal(1),
  content: z.string(),
  finish_reason: z.enum(['stop', 'length']),
  provider: z.string(),
  model: z.string(),
  usage: z.object({ input_tokens: z.number().int().min(0), output_tokens: z.number().int().min(0), cached_tokens: z.number().int().min(0) }),
  /** What the original call cost, in nano-USD: a hit saves this. */
  cost_nano: z.number().int().min(0),
  /** When it was stored (epoch ms). */
  created_at: z.number().int(),
  /**
   * When it stops being fresh (epoch ms). Absent: fresh as long as it is kept. A tenant that serves
   * stale answers keeps entries longer than this; a lookup then reads an expired entry as a miss,
   * and only the last resort (every provider failed) replays it.
   */
  expires_at: z.number().int().optional(),
});
export type CacheEntry = z.infer<typeof cacheEntrySchema>;

/** Whether the entry is past its freshness at `now` (stale: kept only for the last resort). */
export function isExpired(entry: CacheEntry, now = Date.now()): boolean {
  return entry.expires_at !== undefined && now >= entry.expires_at;
}

export function encodeEntry(entry: CacheEntry): string {
  return JSON.stringify(entry);
}

/** The entry, or `undefined` when the stored value is not one (another version, damaged): a miss. */
export function decodeEntry(raw: string): CacheEntry | undefined {
  try {
    const parsed = cacheEntrySchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
