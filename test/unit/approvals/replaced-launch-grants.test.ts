import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../main/cli/command.js';
import { registryCommand } from '../../../main/cli/commands/registry.js';
import { createRegistry, remoteFingerprint } from '../../../main/firewall/registry/registry.js';
import { nowIso, openDatabase } from '../../../main/firewall/store/database.js';
import { desktopEngine, writeCall } from '../desktop/desktop-engine.js';

const DOCS = { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me/docs'] };
const CODE = { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me/code'] };
const EVIL = { command: 'npx', args: ['-y', 'server-filesystem-but-not-quite', '/home/me/docs'] };

describe('"always" answers and a launch line replaced under the same name', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());

  /** An "always" answer for a write to `server`: the call it covers. */
  async function alwaysGrant(server: string) {
    const call = { ...writeCall(), server };
    const asked = ctx.engine.gate.decide(call, 'claude-code', () => {});
    ctx.engine.approvals.answer(ctx.engine.approvals.list()[0]!.id, 'allow', 'always');
    await asked.verdict;
    expect(ctx.engine.approvals.findGrant(null, server, call.tool, call.argsDigest)).not.toBeNull();
    return call;
  }
  const forgottenRows = () => ctx.engine.db.prepare("SELECT decision, reason FROM mcp_audit WHERE event = 'registry' AND decision = 'GRANTS_FORGOTTEN'").all().map((row) => ({ ...row }));

  it('forgets them when approve --replace drops the line they were given for, and says so in the audit row', async () => {
    ctx = desktopEngine();
    ctx.engine.registry.approveLaunch('filesystem', DOCS, { beside: true });
    const call = await alwaysGrant('filesystem');
    ctx.engine.registry.admit('filesystem', EVIL, 'cursor'); // refused as drift; --replace approves it alone
    expect(ctx.engine.approveServer('filesystem', 'cli', { replace: true })).toMatchObject({ fingerprint: EVIL, grantsForgotten: 1 });
    expect(ctx.engine.approvals.findGrant(null, 'filesystem', call.tool, call.argsDigest)).toBeNull();
    expect(forgottenRows()).toEqual([{ decision: 'GRANTS_FORGOTTEN', reason: '1 remembered approval forgotten: they were given for the launch line this approval replaced' }]);
  });

  it('denies the calls still waiting from the replaced launch line, so an "always" answered after cannot give the new binary a grant', async () => {
    ctx = desktopEngine();
    ctx.engine.registry.approveLaunch('filesystem', DOCS, { beside: true });
    const call = { ...writeCall(), server: 'filesystem' };
    const asked = ctx.engine.gate.decide(call, 'claude-code', () => {});
    const [pending] = ctx.engine.approvals.list();
    ctx.engine.registry.admit('filesystem', EVIL, 'cursor');
    ctx.engine.approveServer('filesystem', 'cli', { replace: true });
    expect(ctx.engine.approvals.list()).toEqual([]);
    expect(ctx.engine.approvals.answer(pending!.id, 'allow', 'always')).toBe(false);
    expect(await asked.verdict).toMatchObject({ decision: 'DENY', reason: expect.stringMatching(/cancelled/) });
    expect(ctx.engine.approvals.findGrant(null, 'filesystem', call.tool, call.argsDigest)).toBeNull();
    // The new binary's identical call asks a person.
    const again = ctx.engine.gate.decide({ ...call, sessionId: 's2', requestId: 'new-binary' }, 'claude-code', () => {});
    expect(ctx.engine.approvals.list()).toHaveLength(1);
    again.cancel();
    await again.verdict;
  });

  it('denies the calls still waiting when a remote server is approved at a different URL, and only then', async () => {
    ctx = desktopEngine();
    ctx.engine.approveServer('notes', 'cli', {}, remoteFingerprint('https://notes.example/mcp', 'http'));
    const asked = ctx.engine.gate.decide({ ...writeCall(), server: 'notes' }, 'claude-code', () => {});
    ctx.engine.approveServer('notes', 'cli', {}, remoteFingerprint('https://notes.example/mcp', 'http'));
    expect(ctx.engine.approvals.list()).toHaveLength(1);
    ctx.engine.approveServer('notes', 'cli', {}, remoteFingerprint('https://elsewhere.example/mcp', 'http'));
    expect(ctx.engine.approvals.list()).toEqual([]);
    expect(await asked.verdict).toMatchObject({ decision: 'DENY', reason: expect.stringMatching(/cancelled/) });
  });

  it('leaves the calls waiting when the approval only adds a line beside the ones approved', async () => {
    ctx = desktopEngine();
    ctx.engine.registry.approveLaunch('filesystem', DOCS, { beside: true });
    const asked = ctx.engine.gate.decide(writeCall(), 'claude-code', () => {});
    ctx.engine.registry.admit('filesystem', CODE, 'cursor');
    ctx.engine.approveServer('filesystem', 'cli');
    expect(ctx.engine.approvals.list()).toHaveLength(1);
    asked.cancel();
    await asked.verdict;
  });

  it('keeps them when the approval only adds a line beside the ones approved', async () => {
    ctx = desktopEngine();
    ctx.engine.registry.approveLaunch('filesystem', DOCS, { beside: true });
    const call = await alwaysGrant('filesystem');
    ctx.engine.registry.admit('filesystem', CODE, 'cursor');
    expect(ctx.engine.approveServer('filesystem', 'cli')).toMatchObject({ moreLaunches: [CODE], grantsForgotten: 0 });
    expect(ctx.engine.approvals.findGrant(null, 'filesystem', call.tool, call.argsDigest)).not.toBeNull();
    expect(forgottenRows()).toEqual([]);
  });

  it('forgets them when a remote server is approved at a different URL', async () => {
    ctx = desktopEngine();
    ctx.engine.approveServer('notes', 'cli', {}, remoteFingerprint('https://notes.example/mcp', 'http'));
    const call = await alwaysGrant('notes');
    expect(ctx.engine.approveServer('notes', 'cli', {}, remoteFingerprint('https://notes.example/mcp', 'http')).grantsForgotten).toBe(0);
    expect(ctx.engine.approveServer('notes', 'cli', {}, remoteFingerprint('https://elsewhere.example/mcp', 'http')).grantsForgotten).toBe(1);
    expect(ctx.engine.approvals.findGrant(null, 'notes', call.tool, call.argsDigest)).toBeNull();
  });
});

describe('registry approve --replace with no engine running', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('forgets the server\'s "always" answers in the store and prints how many', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-replace-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'firewall.db'));
    const registry = createRegistry(db);
    registry.approveLaunch('filesystem', DOCS, { beside: true });
    registry.admit('filesystem', EVIL, 'cursor');
    db.prepare('INSERT INTO approval_grants (server_name, tool_name, args_digest, approval_id, created_at) VALUES (?, ?, ?, ?, ?)').run('filesystem', 'write_file', 'sha256:1', 'apr_1', nowIso());
    db.close();
    let out = '';
    const io: CliIo = { stdout: (t) => void (out += t), stderr: () => {}, env: { MCP_FIREWALL_HOME: dir }, cwd: dir };
    expect(await registryCommand(['approve', 'filesystem', '--replace'], io)).toBe(0);
    expect(out).toContain('1 remembered approval forgotten');
    const after = openDatabase(join(dir, 'firewall.db'));
    expect(after.prepare('SELECT COUNT(*) AS n FROM approval_grants').get()).toEqual({ n: 0 });
    after.close();
  });
});
