import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { EditReport } from './protect.js';
import type { ClientAdapter } from './types.js';

/** Lower-cased executable names of the processes running now (best effort; empty if unknown). */
export function runningProcessNames(platform: NodeJS.Platform = process.platform): Set<string> {
  const names = new Set<string>();
  try {
    if (platform === 'linux') {
      for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        try {
          names.add(readFileSync(`/proc/${pid}/comm`, 'utf8').trim().toLowerCase());
        } catch {
          // the process ended while we looked
        }
      }
    } else if (platform === 'darwin') {
      const out = spawnSync('ps', ['-Ao', 'comm='], { encoding: 'utf8' }).stdout ?? '';
      for (const line of out.split('\n')) if (line.trim()) names.add(basename(line.trim()).toLowerCase());
    } else if (platform === 'win32') {
      const out = spawnSync('tasklist', ['/fo', 'csv', '/nh'], { encoding: 'utf8' }).stdout ?? '';
      for (const line of out.split('\n')) {
        const image = /^"([^"]+)"/.exec(line)?.[1];
        if (image) names.add(image.replace(/\.exe$/i, '').toLowerCase());
      }
    }
  } catch {
    // no process list: no warning, never a failure
  }
  return names;
}

/**
 * Clients that keep their config in memory and write it back (Claude Code rewrites
 * ~/.claude.json on exit; editors save their settings) can undo a rewrite made while
 * they run. Protect still writes — the file is right — but says to restart them.
 */
export function runningClientWarnings(report: EditReport, adapters: readonly ClientAdapter[], running: Set<string>, readers: ReadonlyMap<string, string[]> = new Map()): string[] {
  // A file linked into several clients changed for each of them (`readers`, by file).
  const changed = new Set(report.entries.filter((e) => ['protected', 'repointed', 'restored'].includes(e.outcome)).flatMap((e) => readers.get(e.file) ?? [e.client]));
  const warnings: string[] = [];
  for (const adapter of adapters) {
    if (!changed.has(adapter.id) || !adapter.processNames) continue;
    const seen = adapter.processNames.find((name) => running.has(name.toLowerCase()));
    if (seen) warnings.push(`${adapter.displayName} is running (${seen}) and may write its old config back: restart it now so it loads the change.`);
  }
  return warnings;
}
