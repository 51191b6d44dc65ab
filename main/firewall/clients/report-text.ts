import type { EditReport, EntryOutcome } from './protect.js';
import type { ScanResult, ScanRow } from './scan.js';
import type { FileError } from './types.js';

// Plain-text renderings shared by the CLI and anything else that wants a human summary.

function launchText(row: ScanRow): string {
  if (row.url !== undefined) return row.url;
  if (row.command !== undefined) return [row.command, ...(row.args ?? [])].join(' ');
  return '-';
}

export function errorLines(errors: FileError[]): string[] {
  return errors.map((e) => `error: ${e.client}: ${e.file}: ${e.message}`);
}

export function scanText(result: ScanResult): string {
  const lines: string[] = [];
  let lastFile = '';
  const width = Math.max(4, ...result.servers.map((s) => s.name.length));
  for (const row of result.servers) {
    if (row.file !== lastFile) {
      lastFile = row.file;
      lines.push(`${row.client}  ${row.file}  [${row.scope}${row.project ? ` ${row.project}` : ''}]`);
    }
    lines.push(`  ${row.status.padEnd(10)} ${row.name.padEnd(width)}  ${row.transport.padEnd(5)}  ${launchText(row)}`);
    for (const s of row.secrets) lines.push(`  ${''.padEnd(10)} ! plaintext secret in ${s.where} ${s.name}: ${s.masked} (${s.reason})`);
    if (row.note) lines.push(`  ${''.padEnd(10)} note: ${row.note}`);
  }
  lines.push(...errorLines(result.errors));
  const count = (st: string) => result.servers.filter((s) => s.status === st).length;
  const files = new Set(result.servers.map((s) => s.file)).size;
  const withSecrets = result.servers.filter((s) => s.secrets.length > 0).length;
  const stale = result.servers.filter((s) => s.staleRoute).length;
  const deadWraps = result.servers.filter((s) => s.staleWrap).length;
  lines.push(
    `${result.servers.length} servers in ${files} files: ${count('protected')} protected, ${count('registered')} registered, ` +
      `${count('shadow')} shadow; ${withSecrets} with plaintext secrets; ${result.errors.length} unreadable files` +
      (stale > 0 ? `; ${stale} stale firewall routes` : '') +
      (deadWraps > 0 ? `; ${deadWraps} wrap lines whose runtime or cli is gone` : ''),
  );
  return lines.map(visible).join('\n') + '\n';
}

const LABEL: Record<EntryOutcome, string> = {
  protected: 'protected',
  'would-protect': 'would protect',
  'already-protected': 'already protected',
  repointed: 're-pointed',
  'would-repoint': 'would re-point',
  'remote-not-routed': 'remote: not routed',
  unsupported: 'skipped',
  refused: 'refused',
  restored: 'restored',
  'would-restore': 'would restore',
  'left-modified': 'left (changed since)',
};

export function editText(report: EditReport): string {
  const lines = report.entries.map(
    (e) => `${LABEL[e.outcome].padEnd(22)} ${e.client}  ${e.name}  (${e.file})${e.detail ? `: ${e.detail}` : ''}`,
  );
  lines.push(...report.backups.map((b) => `backup: ${b}`));
  lines.push(...errorLines(report.errors));
  lines.push(...(report.warnings ?? []).map((w) => `warning: ${w}`));
  if (report.entries.length === 0 && report.errors.length === 0) lines.push('nothing to do');
  return lines.map(visible).join('\n') + '\n';
}

// Names, commands and notes come from config files, some of them a repository's (.mcp.json):
// a control character or a bidi override in them would drive the terminal that prints the
// report (an escape sequence that clears a line, text that reads backwards). Shown escaped.
// Each line is escaped on its own, so a newline or tab inside a field (a forged row under a
// shadow entry) shows as \u000a rather than starting a line.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
