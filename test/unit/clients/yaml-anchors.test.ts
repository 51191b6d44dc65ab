import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { yamlEditor } from '../../../main/firewall/clients/formats/yaml-editor.js';
import { protectClients, unprotectClients } from '../../../main/firewall/clients/index.js';
import { CLI, createFixtureHome, type FixtureHome } from './fixture-home.js';

let fx: FixtureHome;
afterEach(() => fx.cleanup());

// A hand-kept Goose config that shares nodes through YAML anchors and aliases.
const GOOSE = `extensions:
  plain:
    type: stdio
    cmd: uvx
    args: [plain]
  a: &a
    type: stdio
    cmd: npx
    args: [a]
  b: *a
  d:
    type: stdio
    cmd: npx
    args: &dargs [d]
  e:
    type: stdio
    cmd: uvx
    args: *dargs
`;

type Extensions = Record<string, { cmd: string; args: string[] }>;

describe('YAML anchors and aliases in a Goose config', () => {
  // Protecting `a` rewrote the node its anchor marks: `b: *a` then launched a's wrap line
  // (as server 'a') without a word, while b was reported "cannot add cmd here".
  it('edits the entries that share no node, and leaves the shared ones with the change to make', async () => {
    fx = createFixtureHome();
    const path = join(fx.home, '.config/goose/config.yaml');
    writeFileSync(path, GOOSE);
    const report = await protectClients(fx.deps, { client: 'goose' });
    expect(report.errors).toEqual([]);
    const outcomes = Object.fromEntries(report.entries.map((e) => [e.name, e.outcome]));
    expect(outcomes).toEqual({ plain: 'protected', a: 'unsupported', b: 'unsupported', d: 'unsupported', e: 'protected' });
    const detail = (name: string) => report.entries.find((e) => e.name === name)?.detail;
    expect(detail('a')).toContain('the YAML anchor &a is here, and *a elsewhere in the file stands for it');
    expect(detail('b')).toContain('written as the YAML alias *a');
    expect(detail('b')).toContain('write it out in full in place of *a');
    expect(detail('d')).toContain('&dargs');

    const after = (yamlEditor.parse(readFileSync(path, 'utf8')) as { extensions: Extensions }).extensions;
    // What a, b and d launch is what they launched.
    expect(after.b).toEqual({ type: 'stdio', cmd: 'npx', args: ['a'] });
    expect(after.a).toEqual(after.b);
    expect(after.d!.args).toEqual(['d']);
    expect(after.e!.args).toEqual([CLI, 'wrap', '--server', 'e', '--client', 'goose', '--', 'uvx', 'd']);
    expect(after.plain!.args).toEqual([CLI, 'wrap', '--server', 'plain', '--client', 'goose', '--', 'uvx', 'plain']);

    const undone = await unprotectClients(fx.deps, { client: 'goose' });
    expect(undone.errors).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe(GOOSE);
  });

  // An entry whose command came from `<<: *base` read as "no command to wrap", and one with a
  // command of its own but args from the merge was wrapped without those args.
  it('leaves an entry whose keys come from a YAML merge key as is, saying why, stdio or remote', async () => {
    fx = createFixtureHome();
    const path = join(fx.home, '.config/goose/config.yaml');
    const merged = `x-base: &base
  type: stdio
  cmd: npx
  args: [base-mcp]
x-remote: &remote
  type: streamable_http
extensions:
  plain:
    type: stdio
    cmd: uvx
    args: [plain]
  inherits:
    <<: *base
  own-command:
    <<: *base
    cmd: uvx
  remote:
    <<: *remote
    uri: https://mcp.example.com/mcp
`;
    writeFileSync(path, merged);
    fx.deps.remote = { port: 4321, key: 'k'.repeat(32), running: true, standing: () => ({ kind: 'approved', enabled: true }), propose: () => {} };
    const report = await protectClients(fx.deps, { client: 'goose' });
    expect(report.errors).toEqual([]);
    const outcomes = Object.fromEntries(report.entries.map((e) => [e.name, e.outcome]));
    expect(outcomes).toMatchObject({ plain: 'protected', inherits: 'unsupported', 'own-command': 'unsupported', remote: 'remote-not-routed' });
    for (const name of ['inherits', 'own-command', 'remote']) {
      expect(report.entries.find((e) => e.name === name)?.detail, name).toBe(
        'its keys come from a YAML merge key (<<), which not every client reads: wrapping it could change what the client runs; write the keys out in the entry in place of <<, then run again; left as is',
      );
    }
    const after = readFileSync(path, 'utf8');
    expect(after.slice(after.indexOf('  inherits:'))).toBe(merged.slice(merged.indexOf('  inherits:')));
  });

  it('edits freely in a file whose anchors no alias uses', () => {
    const src = 'extensions:\n  a: &a\n    cmd: npx\n';
    expect(yamlEditor.set(src, ['extensions', 'a', 'cmd'], 'node')).toBe('extensions:\n  a: &a\n    cmd: "node"\n');
  });
});
