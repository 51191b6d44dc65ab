import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

// `registry approve NAME` pins the launch line waiting under NAME: the last one refused. A
// config that launches the name with another line between the refusal a person read and
// their approval must not get its line approved in place of the one they saw.

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const MINE = [process.execPath, SERVER, '--root', '/home/me/notes'];
const OTHER = [process.execPath, SERVER, '--root', '/', '--evil'];

describe('approving the launch line that was shown', () => {
  const engine = useEngine({});
  const refusal = (line: string[]) => connectThroughShim(engine(), 'notes', line).then(async (c) => { await c.close(); return 'admitted'; }, (e: Error) => e.message);
  const digestIn = (text: string) => /registry approve --launch ([0-9a-f]{12}) notes/.exec(text)?.[1];

  it('refuses an approval whose launch digest is not the line waiting, and pins the one it names', async () => {
    const mine = digestIn(await refusal(MINE));
    expect(mine).toBeDefined();
    const other = digestIn(await refusal(OTHER));
    expect(other).toBeDefined();
    expect(other).not.toBe(mine);

    const stale = engine().cli(['registry', 'approve', 'notes', '--launch', mine!]);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain(`the launch line waiting for approval under 'notes' is "${OTHER.join(' ')}" (launch ${other}), not launch ${mine}; nothing was approved`);
    const viaApi = await engine().api('POST', '/registry/notes/approve', { launch: mine });
    expect(viaApi.status).toBe(409);
    expect(JSON.stringify(engine().cli(['registry', 'list', '--json']).stdout)).not.toContain('notes');
    expect(await refusal(OTHER)).toContain('not in the approved registry');

    const approved = engine().cli(['registry', 'approve', 'notes', '--launch', other!]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`launch line pinned: ${OTHER.join(' ')}`);
    expect(await refusal(OTHER)).toBe('admitted');
  });

  it('keeps the plain form, which pins the line waiting and prints it', async () => {
    await refusal([process.execPath, SERVER, '--root', '/plain']);
    const approved = engine().cli(['registry', 'approve', 'notes']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`notes: approved; launch line pinned: ${process.execPath} ${SERVER} --root /plain`);
    expect(approved.stdout).toContain(`also approved: ${OTHER.join(' ')}`);
  });

  it('lists the line waiting under an approved name with its digest', async () => {
    const digest = digestIn(await refusal([process.execPath, SERVER, '--root', '/third']));
    expect(digest).toBeDefined();
    const list = engine().cli(['registry', 'list']);
    expect(list.stdout).toContain(`waiting: ${process.execPath} ${SERVER} --root /third`);
    expect(list.stdout).toContain(`--launch ${digest}`);
  });
});
