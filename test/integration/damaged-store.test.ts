import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { removeHome, startEngine } from '../helpers/engine-harness.js';
import { CLI } from '../helpers/paths.js';

describe('a damaged firewall.db', () => {
  it('serve and the CLI say which file is damaged and what to do, and leave it as it is', async () => {
    const engine = await startEngine();
    try {
      for (const name of ['alpha', 'beta', 'gamma']) engine.cli(['registry', 'approve', name]);
      await engine.stop(); // a clean stop checkpoints the WAL into firewall.db
      const db = join(engine.home, 'firewall.db');
      truncateSync(db, Math.floor(statSync(db).size / 2)); // a copy cut short
      const before = readFileSync(db);
      const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: engine.env, encoding: 'utf8', timeout: 10_000 });
      for (const args of [['serve', '--port', '0'], ['audit', 'verify'], ['registry', 'list']]) {
        const result = run(args);
        expect(result.status, args.join(' ')).toBe(1);
        expect(result.stderr).toContain(`${db} is damaged (SQLite: database disk image is malformed); nothing was changed.`);
        expect(result.stderr).toContain('.recover');
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
      expect(readFileSync(db).equals(before)).toBe(true);
    } finally {
      removeHome(engine.home);
    }
  });
});
