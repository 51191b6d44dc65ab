import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../main/firewall/store/database.js';
import { makeHome, removeHome, waitFor } from '../helpers/engine-harness.js';
import { CLI } from '../helpers/paths.js';

// Enough rows that the export runs for a while after its first page is on disk (the rows need
// no valid chain: export copies, it does not verify).
const ROWS = 300_000;

const homes: string[] = [];
afterEach(() => homes.splice(0).forEach(removeHome));

function homeWithLongTrail(): string {
  const home = makeHome();
  homes.push(home);
  const db = openDatabase(join(home, 'firewall.db'));
  db.exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${ROWS})
    INSERT INTO mcp_audit (event_time, event, decision, tool_name, reason, prev_hash, row_hash)
    SELECT '2026-01-01T00:00:00.000Z', 'call', 'ALLOW', 'tool_' || i, 'the reason', printf('%064d', i - 1), printf('%064d', i) FROM k`);
  db.close();
  return home;
}

const temporaryFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

// POSIX signals: Windows ends a process it is asked to signal on the spot, whatever it handles.
describe.runIf(process.platform !== 'win32')('audit export --out, stopped by a signal', () => {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`removes its temporary file (it holds audit rows) and ends of ${signal}, as a stopped command does`, async () => {
      const home = homeWithLongTrail();
      const exports = makeHome();
      homes.push(exports);
      const out = join(exports, 'trail.jsonl');
      const child = spawn(process.execPath, [CLI, 'audit', 'export', '--out', out], { env: { ...process.env, MCP_FIREWALL_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      // Mid-export: some rows are written, the file is not yet in place.
      const temporary = await waitFor(() => temporaryFiles(exports).find((name) => statSync(join(exports, name)).size > 0), 'rows in the temporary file', 20_000);
      expect(existsSync(out)).toBe(false);
      child.kill(signal);
      const [code, endedBy] = await exited;
      expect({ code, endedBy }).toEqual({ code: null, endedBy: signal });
      expect(existsSync(join(exports, temporary))).toBe(false);
      expect(temporaryFiles(exports)).toEqual([]);
      expect(existsSync(out)).toBe(false);
    }, 60_000);
  }
});
