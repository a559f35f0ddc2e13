import { z } from 'zod';

/** OpenAI-style list envelope returned by every paginated endpoint of the gateway. */
export interface ListPage<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** `limit`: a decimal integer in 1..max, `defaultLimit` when absent. */
export function limitParam(defaultLimit: number, max = 100) {
  return z
    .string()
    .regex(/^[0-9]{1,4}$/, `must be an integer between 1 and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be an integer between 1 and ${max}`).max(max, `must be an integer between 1 and ${max}`))
    .optional()
    .transform((value) => value ?? defaultLimit);
}

/** `after`: the id of the last item of the previous page. */
export const cursorParam = z.guid('must be a uuid').optional();

/**
 * Builds a page from rows fetched with `take: limit + 1`: the extra row only says there is more.
 */
export function toListPage<R extends { id: string }, T>(rows: R[], limit: number, map: (row: R) => T): ListPage<T> {
  const has_more = rows.length > limit;
  const kept = has_more ? rows.slice(0, limit) : rows;
  return {
    object: 'list',
    data: kept.map(map),
    has_more,
    first_id: kept[0]?.id ?? null,
    last_id: kept[kept.length - 1]?.id ?? null,
  };
}

/** Canonical uuid text (any version): anything else can never name a row. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Seconds since the epoch, as OpenAI objects carry them. */
export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** A JSON column as a plain object (`{}` for anything else). */
export function jsonObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
