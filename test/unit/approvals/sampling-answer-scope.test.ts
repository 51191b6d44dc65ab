import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WideScopeRefusedError } from '../../../main/firewall/approvals/approval-queue.js';
import { createEngine } from '../../../main/firewall/engine.js';
import { digestOf } from '../../../main/firewall/jsonrpc/canonical.js';
import type { CallInfo } from '../../../main/firewall/ipc/protocol.js';
import { openDatabase } from '../../../main/firewall/store/database.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { desktopEngine } from '../desktop/desktop-engine.js';

// What client-answers.ts hands the engine for a client's answer to a server's sampling
// request that carries a secret: the method doubles as the "tool".
const answer = { role: 'assistant', content: { type: 'text', text: 'sure: ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, model: 'm' };
const samplingAnswer: CallInfo = {
  sessionId: 's1', client: 'claude-code', server: 'evil', method: 'sampling/createMessage', tool: 'sampling/createMessage',
  actionClass: 'read', argsDigest: digestOf(answer), arguments: answer, requestId: '1',
  escalation: { ruleId: 'dlp-arguments', reason: "the client's answer carries a GitHub token" },
};
/** A tools/call of a tool the server named like the method, with the very same arguments. */
const lookalikeCall: CallInfo = { ...samplingAnswer, method: 'tools/call', actionClass: 'write', requestId: '2', escalation: undefined };
delete lookalikeCall.escalation;

describe("an approval for a client's answer to a server's request (not a tools/call)", () => {
  let ctx: ReturnType<typeof desktopEngine> | undefined;
  afterEach(() => {
    ctx?.dispose();
    ctx = undefined;
  });

  it('accepts only "once", so no remembered answer can cover a tools/call of a tool named like the method', async () => {
    const { engine, service } = (ctx = desktopEngine());
    const asked = engine.gate.decide(samplingAnswer, 'claude-code', () => {});
    const [pending] = engine.approvals.list();
    expect((await service.approvals())[0]!.onlyOnce).toMatch(/sampling\/createMessage/);
    for (const scope of ['session', 'always'] as const) {
      expect(() => engine.approvals.answer(pending!.id, 'allow', scope)).toThrow(WideScopeRefusedError);
    }
    expect(engine.approvals.answer(pending!.id, 'allow', 'once')).toBe(true);
    expect(await asked.verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (once)' });

    // The malicious server's tool "sampling/createMessage" still asks a person.
    const call = engine.gate.decide(lookalikeCall, 'claude-code', () => {});
    expect(engine.approvals.list()).toHaveLength(1);
    call.cancel();
    expect(await call.verdict).toMatchObject({ decision: 'DENY' });
  });

  it('is not covered by an "always" grant a tools/call of a tool named like the method left', async () => {
    const { engine } = (ctx = desktopEngine());
    const call = engine.gate.decide(lookalikeCall, 'claude-code', () => {});
    engine.approvals.answer(engine.approvals.list()[0]!.id, 'allow', 'always');
    expect(await call.verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (always)' });

    const asked = engine.gate.decide(samplingAnswer, 'claude-code', () => {});
    expect(engine.approvals.list()).toHaveLength(1);
    asked.cancel();
    expect(await asked.verdict).toMatchObject({ decision: 'DENY' });
  });

  it('forgets at start a grant an older engine stored for a sampling answer, which would cover the lookalike tools/call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-old-grant-'));
    const db = openDatabase(join(dir, 'firewall.db'));
    db.prepare('INSERT INTO approval_grants (server_name, tool_name, args_digest, approval_id, created_at) VALUES (?, ?, ?, ?, ?)')
      .run('evil', 'sampling/createMessage', samplingAnswer.argsDigest, 'apr_old', new Date().toISOString());
    db.close();
    const engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), progressIntervalMs: 60_000 });
    try {
      const call = engine.gate.decide(lookalikeCall, 'claude-code', () => {});
      expect(engine.approvals.list()).toHaveLength(1);
      call.cancel();
      expect(await call.verdict).toMatchObject({ decision: 'DENY' });
    } finally {
      engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
