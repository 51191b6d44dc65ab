import type { AuditResult } from '../../../preload/contract.js';

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // A leading = + - @ makes spreadsheets evaluate the cell: audit data comes from tools and must stay text.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(result: AuditResult): string {
  return [result.columns.map(csvCell).join(','), ...result.rows.map((row) => result.columns.map((c) => csvCell(row[c])).join(','))].join('\r\n') + '\r\n';
}
