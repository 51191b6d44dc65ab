import { makeVisible } from '../../firewall/manifest/visible-text.js';

/**
 * Renders rows as an aligned text table; data commands print JSON instead with --json.
 * Cells come from configs, servers and the audit: an escape sequence in a tool name must not
 * reach the terminal, nor a bidi override turn a line around, so invisible characters are spelled out.
 */
export function formatTable(columns: string[], rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '(no rows)\n';
  const cell = (value: unknown) => makeVisible(value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const widths = columns.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (values: string[]) => values.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}
