import { afterEach, describe, expect, it } from 'vitest';
import { desktopEngine, writeCall } from '../desktop/desktop-engine.js';

describe('disabling a server while its calls wait for approval', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());

  it('denies them in the engine at once: no answer given after can run one or leave a grant, whatever its shim does', async () => {
    ctx = desktopEngine();
    ctx.engine.approveServer('filesystem', 'test');
    ctx.engine.approveServer('notes', 'test');
    const parked = ctx.engine.gate.decide(writeCall('write_file', { path: '/tmp/a', content: 'x' }), 'claude-code', () => {});
    const other = ctx.engine.gate.decide({ ...writeCall('add_note'), server: 'notes' }, 'claude-code', () => {});
    const [pending] = ctx.engine.approvals.list();

    ctx.engine.setServerEnabled('filesystem', false, 'contain');
    expect(ctx.engine.approvals.list().map((p) => p.server)).toEqual(['notes']);
    expect(ctx.engine.approvals.answer(pending!.id, 'allow', 'always')).toBe(false);
    expect(ctx.engine.approvals.findGrant(null, 'filesystem', 'write_file', pending!.argsDigest)).toBeNull();
    expect(await parked.verdict).toMatchObject({ decision: 'DENY', reason: expect.stringMatching(/cancelled/) });
    other.cancel();
    await other.verdict;
  });
});
