/**
 * The family of a dated model snapshot, or `undefined` when `model` is not one.
 *
 * The rule: a name that ends in a calendar date — `-YYYY-MM-DD` (OpenAI: `gpt-4o-2024-08-06`) or
 * `-YYYYMMDD` (Anthropic: `claude-opus-4-5-20251101`) — is a snapshot of the family named by
 * everything before that date (`gpt-4o`, `claude-opus-4-5`). Nothing else is stripped, so a name
 * that merely starts like another family (`gpt-4o-mini`, `o3-pro`, `gpt-5-mini-2025-08-07`) never
 * takes that family's price; digits that are not a real date (`-20251399`, `-12345678`) are not a
 * snapshot.
 */
export function snapshotFamily(model: string): string | undefined {
  const match = DASHED_DATE.exec(model) ?? COMPACT_DATE.exec(model);
  if (!match) return undefined;
  const [, family, year, month, day] = match;
  return isCalendarDate(Number(year), Number(month), Number(day)) ? family : undefined;
}

const DASHED_DATE = /^(.+)-(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT_DATE = /^(.+)-(\d{4})(\d{2})(\d{2})$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 2000 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
