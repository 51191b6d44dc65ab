import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { approveRoutedLaunch, approveServer } from '../../../main/firewall/registry/registry-actions.js';
import { createRegistry, launchDigest, remoteFingerprint, type Registry } from '../../../main/firewall/registry/registry.js';
import { openDatabase } from '../../../main/firewall/store/database.js';

// One server name, several launch lines: the filesystem server with one root in Cursor and
// another in Windsurf, or in two Claude Code projects. Each line a person routed or approved
// runs; any other line is still drift.

const DOCS = { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me/docs'] };
const CODE = { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me/code'] };
const EVIL = { command: 'npx', args: ['-y', 'server-filesystem-but-not-quite', '/home/me/docs'] };
/** `protect` as a person runs it (CLI, dashboard); auto-protect is unattended. */
const ATTENDED = { beside: true };

describe('a name with several approved launch lines', () => {
  let dir: string;
  let db: DatabaseSync;
  let registry: Registry;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-launches-'));
    db = openDatabase(join(dir, 'firewall.db'));
    registry = createRegistry(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('protect approves each routed launch line: the first is pinned, another goes beside it, anything else is drift', () => {
    expect(registry.approveLaunch('filesystem', DOCS, ATTENDED)).toBe('approved');
    expect(registry.approveLaunch('filesystem', DOCS, ATTENDED)).toBe('known');
    expect(registry.approveLaunch('filesystem', CODE, ATTENDED)).toBe('added');
    expect(registry.get('filesystem')).toMatchObject({ enabled: true, fingerprint: DOCS, moreLaunches: [CODE] });
    expect(registry.admit('filesystem', DOCS, 'windsurf')).toEqual({ admitted: true, pinnedNow: false });
    expect(registry.admit('filesystem', CODE, 'cursor')).toEqual({ admitted: true, pinnedNow: false });
    const drift = registry.admit('filesystem', EVIL, 'cursor');
    expect(drift).toMatchObject({ admitted: false, kind: 'drift' });
    expect(drift.admitted ? '' : drift.reason).toContain('and 1 other, got');
  });

  it('unattended (auto-protect), another launch line under a pinned name is only proposed: drift until a person approves it', () => {
    const audit = createAuditLog(db);
    approveRoutedLaunch(registry, audit, 'filesystem', DOCS, 'auto-protect', false);
    expect(approveRoutedLaunch(registry, audit, 'filesystem', EVIL, 'auto-protect', false)).toBe('proposed');
    expect(registry.get('filesystem')).toMatchObject({ fingerprint: DOCS, moreLaunches: [] });
    expect(registry.admit('filesystem', EVIL, 'cursor')).toMatchObject({ admitted: false, kind: 'drift' });
    const proposed = db.prepare("SELECT decision, reason FROM mcp_audit WHERE event = 'registry' ORDER BY id DESC LIMIT 1").get() as { decision: string; reason: string };
    expect(proposed).toEqual({ decision: 'PROPOSED', reason: expect.stringContaining('waits for `mcp-firewall registry approve filesystem`') });
    expect(registry.pending('filesystem')).toEqual(EVIL);
    approveServer(registry, audit, 'filesystem', 'cli');
    expect(registry.admit('filesystem', EVIL, 'cursor').admitted).toBe(true);
  });

  it('registry approve after a drift refusal approves that line beside the others, so no client loses its server', () => {
    registry.approveLaunch('filesystem', DOCS, ATTENDED);
    expect(registry.admit('filesystem', CODE, 'cursor')).toMatchObject({ admitted: false, kind: 'drift' });
    expect(registry.pending('filesystem')).toEqual(CODE);
    const entry = registry.approve('filesystem');
    expect(entry).toMatchObject({ fingerprint: DOCS, moreLaunches: [CODE] });
    expect(registry.pending('filesystem')).toBeNull();
    expect(registry.admit('filesystem', DOCS, 'windsurf').admitted).toBe(true);
    expect(registry.admit('filesystem', CODE, 'cursor').admitted).toBe(true);
  });

  it('approve --replace leaves only the line approved now: the refused one, else the pinned one', () => {
    const audit = createAuditLog(db);
    registry.approveLaunch('filesystem', DOCS, ATTENDED);
    registry.approveLaunch('filesystem', CODE, ATTENDED);
    registry.admit('filesystem', EVIL, 'cursor'); // refused as drift, remembered
    expect(approveServer(registry, audit, 'filesystem', 'cli', undefined, { replace: true })).toMatchObject({ fingerprint: EVIL, moreLaunches: [] });
    expect(registry.admit('filesystem', DOCS, 'windsurf')).toMatchObject({ admitted: false, kind: 'drift' });
    expect(registry.admit('filesystem', EVIL, 'cursor').admitted).toBe(true);
    const reason = () => (db.prepare("SELECT reason FROM mcp_audit WHERE event = 'registry' ORDER BY id DESC LIMIT 1").get() as { reason: string }).reason;
    expect(reason()).toBe('server approved; launch line npx -y server-filesystem-but-not-quite /home/me/docs, in place of the 2 other launch lines approved before');
    // DOCS was refused just now, so it is what approving means; CODE, approved beside, goes.
    registry.approveLaunch('filesystem', CODE, ATTENDED);
    expect(approveServer(registry, audit, 'filesystem', 'cli', undefined, { replace: true })).toMatchObject({ fingerprint: DOCS, moreLaunches: [] });
    // Nothing refused: the pinned line stays, alone.
    registry.approveLaunch('filesystem', CODE, ATTENDED);
    expect(approveServer(registry, audit, 'filesystem', 'cli', undefined, { replace: true })).toMatchObject({ fingerprint: DOCS, moreLaunches: [] });
    expect(reason()).toBe('server approved; launch line npx -y @modelcontextprotocol/server-filesystem /home/me/docs, in place of the 1 other launch line approved before');
  });

  it('never enables a disabled server, and a contained one stays refused whatever its launch line', () => {
    registry.approveLaunch('filesystem', DOCS, ATTENDED);
    registry.setEnabled('filesystem', false);
    expect(registry.approveLaunch('filesystem', CODE, ATTENDED)).toBe('added');
    expect(registry.get('filesystem')!.enabled).toBe(false);
    expect(registry.admit('filesystem', CODE, 'cursor')).toMatchObject({ admitted: false, kind: 'disabled' });
  });

  it('pins a launch line on a server approved by name only, and forgets a refused attempt of that line', () => {
    registry.admit('filesystem', DOCS, 'cursor'); // a shadow attempt, remembered for approval
    expect(registry.pending('filesystem')).toEqual(DOCS);
    expect(registry.approveLaunch('filesystem', DOCS, ATTENDED)).toBe('approved');
    expect(registry.pending('filesystem')).toBeNull();
    registry.approve('notes'); // by name only: its first run would pin whatever it is
    expect(registry.get('notes')!.fingerprint).toBeNull();
    expect(registry.approveLaunch('notes', CODE, ATTENDED)).toBe('pinned');
    expect(registry.get('notes')).toMatchObject({ fingerprint: CODE, moreLaunches: [] });
    expect(registry.admit('notes', EVIL, 'cursor')).toMatchObject({ admitted: false, kind: 'drift' });
  });

  it('a URL replaces every local launch line, and a local line never goes beside a URL', () => {
    registry.approveLaunch('notes', DOCS, ATTENDED);
    registry.approveLaunch('notes', CODE, ATTENDED);
    const remote = remoteFingerprint('https://notes.example.com/mcp');
    expect(registry.approve('notes', remote)).toMatchObject({ fingerprint: remote, moreLaunches: [] });
    expect(registry.admit('notes', CODE, 'cursor')).toMatchObject({ admitted: false, kind: 'drift' });
    expect(registry.approveLaunch('notes', CODE, ATTENDED)).toBe('conflict');
    expect(registry.get('notes')).toMatchObject({ fingerprint: remote, moreLaunches: [] });
  });

  it('a local launch line that reads as a URL pins nothing, not even for a new name: a URL is pinned only by a person', () => {
    // A stdio entry `"command": "url", "args": ["https://…"]` is routed like any other; its
    // line must not become the name's remote pin (where its keychain credential goes).
    const spoof = { command: 'url', args: ['https://attacker.example/mcp'] };
    expect(registry.approveLaunch('github', spoof, { beside: false })).toBe('conflict');
    expect(registry.get('github')).toBeNull();
    registry.approve('notes');
    expect(registry.approveLaunch('notes', spoof, ATTENDED)).toBe('conflict');
    expect(registry.get('notes')!.fingerprint).toBeNull();
  });

  it('a URL pinned by the engine while the CLI protects another launch line leaves no local line beside it', () => {
    // The CLI's protect writes the store while the engine runs: `registry approve NAME --url`
    // landing between protect's read and its write must not leave a local line approved
    // under a URL (it would be admitted, and given that name's keychain secrets).
    registry.approveLaunch('notes', DOCS, ATTENDED);
    const remote = remoteFingerprint('https://notes.example.com/mcp');
    const engineDb = openDatabase(join(dir, 'firewall.db'));
    engineDb.exec('PRAGMA busy_timeout = 0');
    const engine = createRegistry(engineDb);
    let waited = false;
    const racing = new Proxy(db, {
      get(target, prop) {
        if (prop !== 'prepare') return Reflect.get(target, prop, target) as unknown;
        return (sql: string) => {
          const statement = target.prepare(sql);
          if (!sql.startsWith('INSERT OR IGNORE INTO registry_launches')) return statement;
          return {
            run: (...values: SQLInputValue[]) => {
              try {
                engine.approve('notes', remote);
              } catch {
                waited = true; // busy: the CLI's write is under way; the engine's comes after it
              }
              return statement.run(...values);
            },
          };
        };
      },
    });
    expect(createRegistry(racing).approveLaunch('notes', CODE, ATTENDED)).toBe('added');
    if (waited) engine.approve('notes', remote);
    expect(registry.get('notes')).toMatchObject({ fingerprint: remote, moreLaunches: [] });
    expect(registry.admit('notes', CODE, 'cursor')).toMatchObject({ admitted: false, kind: 'drift' });
    engineDb.close();
  });

  it('removing a server removes its launch lines: approving the name again starts from nothing', () => {
    registry.approveLaunch('filesystem', DOCS, ATTENDED);
    registry.approveLaunch('filesystem', CODE, ATTENDED);
    expect(registry.remove('filesystem')).toBe(true);
    registry.approve('filesystem');
    expect(registry.get('filesystem')).toMatchObject({ fingerprint: null, moreLaunches: [] });
  });

  it('audits what a routed launch line changed, and nothing when it changed nothing', () => {
    const audit = createAuditLog(db);
    approveRoutedLaunch(registry, audit, 'filesystem', DOCS, 'protect', true);
    approveRoutedLaunch(registry, audit, 'filesystem', DOCS, 'protect', true);
    approveRoutedLaunch(registry, audit, 'filesystem', CODE, 'protect', true);
    registry.admit('filesystem', EVIL, 'cursor');
    approveServer(registry, audit, 'filesystem', 'cli');
    const rows = db.prepare("SELECT actor_id, decision, reason FROM mcp_audit WHERE event = 'registry' ORDER BY id").all() as Array<{ actor_id: string; decision: string; reason: string }>;
    expect(rows).toEqual([
      { actor_id: 'protect', decision: 'APPROVED', reason: expect.stringContaining('server approved as it was routed through the firewall; launch line npx -y @modelcontextprotocol/server-filesystem /home/me/docs') },
      { actor_id: 'protect', decision: 'APPROVED', reason: expect.stringContaining('launch line approved beside the ones before, as it was routed through the firewall: npx -y @modelcontextprotocol/server-filesystem /home/me/code') },
      { actor_id: 'cli', decision: 'APPROVED', reason: 'server approved; launch line npx -y server-filesystem-but-not-quite /home/me/docs approved beside 2 others' },
    ]);
  });
});

describe('where a launch line\'s command resolved', () => {
  let dir: string;
  let db: DatabaseSync;
  let registry: Registry;
  const NODE = { command: 'node', args: ['server.mjs'] };
  const at = (resolved: string) => ({ ...NODE, resolved });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcpfw-resolved-'));
    db = openDatabase(join(dir, 'firewall.db'));
    registry = createRegistry(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a pin from before resolutions adopts the first one silently, then refuses another place as drift naming both', () => {
    registry.approveLaunch('notes', NODE, { beside: true });
    expect(registry.admit('notes', at('/usr/bin/node'), 'cursor')).toEqual({ admitted: true, pinnedNow: false });
    expect(registry.get('notes')?.fingerprint).toEqual(at('/usr/bin/node'));
    const drift = registry.admit('notes', at('/evil/bin/node'), 'cursor');
    expect(drift).toMatchObject({ admitted: false, kind: 'drift' });
    expect(drift.admitted ? '' : drift.reason).toContain('now runs /evil/bin/node, approved to run /usr/bin/node');
    // A launch that could not resolve (Windows) is the same line.
    expect(registry.admit('notes', NODE, 'cursor').admitted).toBe(true);
  });

  it('a line beside the pinned one adopts and checks its own resolution, and approve adds the refused place beside it', () => {
    const audit = createAuditLog(db);
    registry.approveLaunch('notes', { command: 'npx', args: ['notes'] }, { beside: true });
    registry.approveLaunch('notes', NODE, { beside: true });
    expect(registry.admit('notes', at('/usr/bin/node'), 'cursor').admitted).toBe(true);
    expect(registry.get('notes')?.moreLaunches).toEqual([at('/usr/bin/node')]);
    expect(registry.admit('notes', at('/home/me/bin/node'), 'cursor').admitted).toBe(false);
    approveServer(registry, audit, 'notes', 'cli');
    // Two clients with two PATHs (a GUI app's and a shell's) each run the line approved for
    // them: approving one place must not refuse the other, or they would take turns drifting.
    expect(registry.get('notes')?.moreLaunches).toEqual([at('/usr/bin/node'), at('/home/me/bin/node')]);
    expect(registry.admit('notes', at('/home/me/bin/node'), 'cursor').admitted).toBe(true);
    expect(registry.admit('notes', at('/usr/bin/node'), 'claude-desktop').admitted).toBe(true);
    expect(registry.admit('notes', at('/evil/bin/node'), 'cursor').admitted).toBe(false);
  });

  it('approve --launch DIGEST --replace keeps the approved line the digest names, with no line waiting', () => {
    const audit = createAuditLog(db);
    const a = { command: 'node', args: ['a.js'] };
    const b = { command: 'node', args: ['b.js'] };
    registry.approveLaunch('notes', a, { beside: true });
    registry.approveLaunch('notes', b, { beside: true });
    const entry = approveServer(registry, audit, 'notes', 'cli', undefined, { replace: true, launch: launchDigest(b) });
    expect(entry.approvedLine).toEqual(b);
    expect(registry.get('notes')).toMatchObject({ fingerprint: b, moreLaunches: [] });
    expect(registry.admit('notes', b, 'cursor').admitted).toBe(true);
    expect(registry.admit('notes', a, 'cursor').admitted).toBe(false);
  });

  it('--replace keeps only the place approved last', () => {
    const audit = createAuditLog(db);
    registry.approve('notes');
    registry.admit('notes', at('/usr/bin/node'), 'cursor');
    registry.admit('notes', at('/home/me/bin/node'), 'cursor');
    approveServer(registry, audit, 'notes', 'cli', undefined, { replace: true });
    // Another place is another program: the old one counts as replaced (its grants are forgotten).
    const row = db.prepare("SELECT reason FROM mcp_audit WHERE decision = 'APPROVED' ORDER BY id DESC LIMIT 1").get() as { reason: string };
    expect(row.reason).toContain('in place of the 1 other launch line');
    expect(registry.admit('notes', at('/home/me/bin/node'), 'cursor').admitted).toBe(true);
    expect(registry.admit('notes', at('/usr/bin/node'), 'cursor').admitted).toBe(false);
  });

  it('a first run pins the resolution with the line', () => {
    registry.approve('notes');
    expect(registry.admit('notes', at('/usr/bin/node'), 'cursor')).toEqual({ admitted: true, pinnedNow: true });
    expect(registry.admit('notes', at('/opt/bin/node'), 'cursor').admitted).toBe(false);
  });
});
