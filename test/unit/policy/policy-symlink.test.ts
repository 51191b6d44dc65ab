import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPolicyFile, type PolicyFile } from '../../../main/firewall/policy/policy-file.js';
import { waitFor } from '../../helpers/engine-harness.js';

const dirs: string[] = [];
const open: PolicyFile[] = [];
afterEach(() => {
  open.splice(0).forEach((p) => p.close());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const policy = (decision: string) => `version: v1\ndefaults:\n  decision: ${decision}\nrules: []\n`;

describe('a policy.yaml that is a symlink', () => {
  it('is reloaded when what it points to changes: an edit of the target, or a ConfigMap-style swap of the link', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mcpfw-policy-link-'));
    dirs.push(root);
    const home = join(root, 'home');
    const config = join(root, 'config');
    for (const dir of [home, join(config, 'v1'), join(config, 'v2')]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(config, 'v1', 'policy.yaml'), policy('ALLOW'));
    writeFileSync(join(config, 'v2', 'policy.yaml'), policy('DENY'));
    symlinkSync(join(config, 'v1'), join(config, '..data'));
    symlinkSync(join(config, '..data', 'policy.yaml'), join(home, 'policy.yaml'));

    const reloads: string[] = [];
    const file = openPolicyFile(join(home, 'policy.yaml'), { onReload: (p) => reloads.push(p.spec.defaultDecision), onRejected: () => {} }, 50);
    open.push(file);
    expect(file.current().spec.defaultDecision).toBe('ALLOW');

    // The swap a ConfigMap makes: a new link renamed over `..data`.
    symlinkSync(join(config, 'v2'), join(config, '..data_tmp'));
    renameSync(join(config, '..data_tmp'), join(config, '..data'));
    await waitFor(() => file.current().spec.defaultDecision === 'DENY', 'the swapped policy in force');

    writeFileSync(join(config, 'v2', 'policy.yaml'), policy('REQUIRE_APPROVAL'));
    await waitFor(() => file.current().spec.defaultDecision === 'REQUIRE_APPROVAL', 'the edited target in force');
    expect(reloads).toEqual(['DENY', 'REQUIRE_APPROVAL']);
  });

  it('reloads an edited plain file once, though both the directory watch and the poll see the edit', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mcpfw-policy-plain-'));
    dirs.push(root);
    const path = join(root, 'policy.yaml');
    writeFileSync(path, policy('ALLOW'));
    const reloads: string[] = [];
    const file = openPolicyFile(path, { onReload: (p) => reloads.push(p.spec.defaultDecision), onRejected: () => {} }, 50);
    open.push(file);
    writeFileSync(path, policy('DENY'));
    await waitFor(() => file.current().spec.defaultDecision === 'DENY', 'the edit in force');
    await new Promise((resolve) => setTimeout(resolve, 400)); // several polls later
    expect(reloads).toEqual(['DENY']);
  });
});
