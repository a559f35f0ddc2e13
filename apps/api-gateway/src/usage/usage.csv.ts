import type { FastifyReply } from 'fastify';
import type { UsageReport, UsageRow } from './usage.dto';

const COLUMNS: (keyof UsageRow)[] = ['tenant_id', 'user_id', 'date', 'model', 'prompt_name', 'prompt_version', 'requests', 'input_tokens', 'output_tokens', 'cached_tokens', 'cost_usd', 'cache_hits', 'cost_saved_usd'];

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula triggers neutralised. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(9)) : String(value);
  // Spreadsheets run cells starting with these as formulas (CSV injection): prefix a quote.
  if (/^[=+\-@\t\r]/.test(text) && typeof value !== 'number') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A usage report as CSV: the grouped dimensions, then the measures, one line per row. */
export function usageCsv(report: UsageReport): string {
  const columns = COLUMNS.filter((column) => {
    if (column === 'tenant_id') return report.group_by.includes('tenant');
    if (column === 'user_id') return report.group_by.includes('user');
    if (column === 'date') return report.group_by.includes('day');
    if (column === 'model') return report.group_by.includes('model');
    if (column === 'prompt_name' || column === 'prompt_version') return report.group_by.includes('prompt');
    return true;
  });
  const lines = [columns.join(',')];
  for (const row of report.data) lines.push(columns.map((column) => csvField(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Answers a usage report as JSON or as a CSV attachment. */
export function sendUsageReport(reply: FastifyReply, report: UsageReport, format: 'json' | 'csv'): FastifyReply {
  if (format === 'json') return reply.send(report);
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="usage-${report.start}-${report.end}.csv"`)
    .send(usageCsv(report));
}
