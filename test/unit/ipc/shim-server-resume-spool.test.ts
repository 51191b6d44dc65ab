import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import type { Engine } from '../../../main/firewall/engine.js';
import { startShimServer } from '../../../main/firewall/ipc/shim-server.js';
import { createSpool } from '../../../main/firewall/ipc/spool.js';
import { openDatabase } from '../../../main/firewall/store/database.js';
import { waitFor } from '../../helpers/engine-harness.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a session resumed while its secrets are still being read', () => {
  it('keeps its spool file, and the rows the shim writes meanwhile, past the orphans grace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-resume-'));
    const db = openDatabase(join(dir, 'firewall.db'));
    const audit = createAuditLog(db);
    const line = (tool: string) => `${JSON.stringify({ event: 'call', decision: 'ALLOW', toolName: tool })}\n`;
    // The engine before: the session's file, held open by its shim, which outlives the engine.
    const before = createSpool(db, audit, join(dir, 'spool'), 60_000);
    const file = before.open('ses_k', 'memory', 'claude-code');
    const shimFd = openSync(file, 'a');
    appendFileSync(shimFd, line('before'));
    // A session whose shim never comes back: its file retired shows the grace has passed.
    const gone = before.open('ses_gone', 'memory', 'claude-code');
    // The next engine, with a 2 s grace for its orphans, and a keychain that answers in 5 s. The
    // shim's hello must reach the engine within the grace (it resumes the session at once), so the
    // grace is wide enough for a loaded machine (50 ms failed there: the file was retired first).
    const spool = createSpool(db, audit, join(dir, 'spool'), 60_000, undefined, 2_000);
    const engine = {
      registry: { admit: () => ({ admitted: true, pinnedNow: false }) },
      record: () => {},
      secretEnv: () => sleep(5_000).then(() => ({})),
      spool,
      approvals: { forgetSession: () => {} },
      snapshot: () => ({ version: 1, policy: {}, emergencyWriteApproval: false, pausedUntil: null }),
      quarantine: { releasedFor: async () => [], onReleased: () => () => {} },
      onSnapshot: () => () => {},
      onPinsAccepted: () => () => {},
      onServerRevoked: () => () => {},
      onLaunchesReplaced: () => () => {},
    } as unknown as Engine;
    const server = await startShimServer(engine, join(dir, 'engine.sock'));
    cleanups.push(() => {
      closeSync(shimFd);
      void server.close();
      spool.close();
      before.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const socket = connect(join(dir, 'engine.sock'));
    cleanups.unshift(() => socket.destroy());
    const welcome = new Promise<Record<string, unknown>>((resolve) => socket.once('data', (chunk) => resolve(JSON.parse(chunk.toString().split('\n')[0]!) as Record<string, unknown>)));
    socket.write(`${JSON.stringify({ t: 'hello', server: 'memory', client: 'claude-code', command: 'node', args: [], sessionId: 'ses_k', pid: 1, resumed: true })}\n`);
    // Past the grace (the orphan is retired), before the welcome: the shim still writes to the descriptor it holds.
    await waitFor(() => !existsSync(gone), 'the grace to pass (the orphan retired)', 20_000);
    appendFileSync(shimFd, line('between'));
    expect(await welcome).toMatchObject({ t: 'welcome', spool: file });
    appendFileSync(file, line('after'));
    spool.finish('ses_k');
    const tools = (db.prepare('SELECT tool_name FROM mcp_audit ORDER BY id').all() as Array<{ tool_name: string }>).map((r) => r.tool_name);
    expect(tools).toEqual(['before', 'between', 'after']);
  }, 30_000);
});
