import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import YAML from 'yaml';
import { protectClients, scanClients, unprotectClients } from '../../../main/firewall/clients/index.js';
import { CLI, createFixtureHome, RUNTIME, onlyCursorFile, type FixtureHome } from './fixture-home.js';

// Config files as real machines have them: hand-edited, half-broken, locked.

let fx: FixtureHome;
afterEach(() => fx.cleanup());

const cursorFile = (text: string) => onlyCursorFile(fx, text);

describe('odd config files', () => {
  it('leaves an entry whose args are not all strings, rather than wrapping it without them', async () => {
    fx = createFixtureHome();
    const path = cursorFile('{"mcpServers": {"a": {"command": "node", "args": ["srv.js", 8080]}, "b": {"command": "npx", "args": "-y x"}}}\n');
    const codex = join(fx.home, '.codex/config.toml');
    writeFileSync(codex, '[mcp_servers.x]\ncommand = "node"\nargs = ["s.js", 8080]\n');
    const before = [readFileSync(path), readFileSync(codex)];
    const report = await protectClients(fx.deps, { client: 'cursor' });
    await protectClients(fx.deps, { client: 'codex-cli' });
    expect(report.entries.map((e) => [e.name, e.outcome, e.detail])).toEqual([
      ['a', 'unsupported', 'args is not a list of strings; left as is'],
      ['b', 'unsupported', 'args is not a list of strings; left as is'],
    ]);
    expect(readFileSync(path).equals(before[0]!)).toBe(true);
    expect(readFileSync(codex).equals(before[1]!)).toBe(true);
    expect(scanClients(fx.deps, { client: 'cursor' }).servers.map((r) => r.note)).toEqual(['args is not a list of strings', 'args is not a list of strings']);
  });

  it('protects Codex servers written as inline tables, and unprotect gives the file back byte for byte', async () => {
    fx = createFixtureHome();
    const codex = join(fx.home, '.codex/config.toml');
    const text = [
      'model = "o4-mini"',
      '',
      '[mcp_servers]',
      'docs = { command = "npx", args = ["-y", "@acme/docs-mcp"], env = { DOCS_REGION = "eu" } } # the docs',
      'git = { command = "uvx", args = ["mcp-server-git"], startup_timeout_sec = 20 }',
      '',
    ].join('\n');
    writeFileSync(codex, text);
    const report = await protectClients(fx.deps, { client: 'codex-cli' });
    expect(report.entries.filter((e) => e.file === codex).map((e) => [e.name, e.outcome])).toEqual([['docs', 'protected'], ['git', 'protected']]);
    const servers = (parseToml(readFileSync(codex, 'utf8')) as { mcp_servers: Record<string, { command: string; args: string[]; env?: object; startup_timeout_sec?: number }> }).mcp_servers;
    expect(servers.docs).toMatchObject({ command: RUNTIME, args: [CLI, 'wrap', '--server', 'docs', '--client', 'codex-cli', '--', 'npx', '-y', '@acme/docs-mcp'], env: { DOCS_REGION: 'eu' } });
    expect(servers.git).toMatchObject({ command: RUNTIME, args: [CLI, 'wrap', '--server', 'git', '--client', 'codex-cli', '--', 'uvx', 'mcp-server-git'], startup_timeout_sec: 20 });
    await unprotectClients(fx.deps, { client: 'codex-cli' });
    expect(readFileSync(codex, 'utf8')).toBe(text);
  });

  it('does not wrap an entry named "" (the shim needs a name), so protecting twice never nests', async () => {
    fx = createFixtureHome();
    const path = cursorFile('{"mcpServers": {"": {"command": "srv"}}}\n');
    const before = readFileSync(path);
    const report = await protectClients(fx.deps, { client: 'cursor' });
    await protectClients(fx.deps, { client: 'cursor' });
    expect(report.entries).toMatchObject([{ name: '', outcome: 'unsupported', detail: 'empty server name; left as is' }]);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses to rename over a read-only config (even as root), and says why', async () => {
    fx = createFixtureHome();
    const path = cursorFile('{"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh"]}}}\n');
    chmodSync(path, 0o444);
    const before = readFileSync(path);
    const report = await protectClients(fx.deps, { client: 'cursor' });
    expect(report.errors).toEqual([{ client: 'cursor', file: path, message: 'read-only (mode 444); file left untouched: make it writable and run again' }]);
    expect(report.entries).toMatchObject([{ name: 'gh', outcome: 'refused' }]);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('keeps the file\'s mode whatever the umask (a 0666 config does not become 0600)', async () => {
    fx = createFixtureHome();
    const path = cursorFile('{"mcpServers": {"gh": {"command": "npx"}}}\n');
    chmodSync(path, 0o666);
    const umask = process.umask(0o077);
    try {
      await protectClients(fx.deps, { client: 'cursor' });
      expect(statSync(path).mode & 0o777).toBe(0o666);
      await unprotectClients(fx.deps, { client: 'cursor' });
      expect(statSync(path).mode & 0o777).toBe(0o666);
    } finally {
      process.umask(umask);
    }
  });

  it('does not overwrite what a client wrote while the keychain took the secrets (--move-secrets)', async () => {
    fx = createFixtureHome();
    const path = cursorFile('{"mcpServers": {"gh": {"command": "npx", "env": {"GITHUB_TOKEN": "ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0123"}}}}\n');
    const theirs = '{"mcpServers": {"gh": {"command": "npx", "env": {"GITHUB_TOKEN": "ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake0123"}}, "new": {"command": "uvx"}}}\n';
    // The client adds a server while the keychain is asked (a permission prompt, say).
    const report = await protectClients({ ...fx.deps, moveSecret: async () => void writeFileSync(path, theirs) }, { client: 'cursor' });
    expect(report.errors).toEqual([expect.objectContaining({ file: path, message: expect.stringMatching(/changed while we were editing/) })]);
    expect(readFileSync(path, 'utf8')).toBe(theirs);
  });

  it('restores from the wrap lines when the client re-serialised its YAML, so the saved text no longer fits', async () => {
    fx = createFixtureHome();
    const path = join(fx.home, '.config/goose/config.yaml');
    writeFileSync(path, [
      'extensions:',
      '  github:',
      '    type: stdio',
      '    cmd: npx',
      '    args: [-y, "@modelcontextprotocol/server-github"]',
      '    enabled: true',
      '  block:',
      '    type: stdio',
      '    cmd: uvx',
      '    args:',
      '      - mcp-server',
      '      - --flag',
      '    enabled: true',
      '',
    ].join('\n'));
    await protectClients(fx.deps, { client: 'goose' });
    // Goose writes its config back as serde_yaml does: block style, lists at the key's indent.
    writeFileSync(path, YAML.stringify(YAML.parse(readFileSync(path, 'utf8')), { indentSeq: false }));
    const report = await unprotectClients(fx.deps, { client: 'goose' });
    expect(report.errors).toEqual([]);
    expect(report.entries.filter((e) => e.name === 'github' || e.name === 'block').map((e) => [e.name, e.outcome])).toEqual([['github', 'restored'], ['block', 'restored']]);
    const after = YAML.parse(readFileSync(path, 'utf8')) as { extensions: Record<string, { cmd: string; args: string[] }> };
    expect(after.extensions.github).toMatchObject({ cmd: 'npx', args: ['-y', '@modelcontextprotocol/server-github'] });
    expect(after.extensions.block).toMatchObject({ cmd: 'uvx', args: ['mcp-server', '--flag'] });
  });

  it('keeps a config made read-only after protecting as it is on unprotect', async () => {
    fx = createFixtureHome();
    const path = cursorFile('{"mcpServers": {"gh": {"command": "npx"}}}\n');
    await protectClients(fx.deps, { client: 'cursor' });
    chmodSync(path, 0o444);
    const protectedBytes = readFileSync(path);
    const report = await unprotectClients(fx.deps, { client: 'cursor' });
    expect(report.errors[0]?.message).toMatch(/^read-only \(mode 444\)/);
    expect(readFileSync(path).equals(protectedBytes)).toBe(true);
  });

  it('reports a directory where a config file belongs instead of skipping it silently', () => {
    fx = createFixtureHome();
    const path = join(fx.home, '.cursor/mcp.json');
    rmSync(path);
    mkdirSync(path);
    expect(scanClients(fx.deps, { client: 'cursor' }).errors).toEqual([{ client: 'cursor', file: path, message: 'a directory, not a file; left untouched' }]);
  });

  it('leaves an entry behind a duplicate JSON key (clients read the last, an edit would hit the first) and protects the rest', async () => {
    fx = createFixtureHome();
    const dupes = '    "gh": {"command": "a"},\n    "gh": {"command": "b"},\n    "ok": {"command": "c", "command": "d"},\n';
    const path = cursorFile(`{\n  "mcpServers": {\n${dupes}    "fine": {"command": "e"}\n  }\n}\n`);
    const report = await protectClients(fx.deps, { client: 'cursor' });
    expect(report.errors).toEqual([]);
    expect(report.entries.map((e) => [e.name, e.outcome, e.detail])).toEqual([
      ['gh', 'unsupported', 'duplicate key "gh"; left as is'],
      ['ok', 'unsupported', 'duplicate key "command"; left as is'],
      ['fine', 'protected', undefined],
    ]);
    expect(readFileSync(path, 'utf8')).toContain(dupes);
  });

  it('adds args to a one-line file without re-laying out the rest of the line, and takes them out again exactly', async () => {
    fx = createFixtureHome();
    const path = cursorFile('{"mcpServers": {"x": {"command": "a"}, "y": {"command": "b", "env": {}}}, "other": 1}');
    await protectClients(fx.deps, { client: 'cursor' });
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('{"mcpServers": {"x": {"command": ')).toBe(true);
    expect(text).toContain(']}, "y": {"command": ');
    expect(text.endsWith('], "env": {}}}, "other": 1}')).toBe(true);
    // Changed since protect: only our spans come out, the user's edit stays.
    writeFileSync(path, text.replace('"other": 1', '"other": 2'));
    await unprotectClients(fx.deps, { client: 'cursor' });
    expect(readFileSync(path, 'utf8')).toBe('{"mcpServers": {"x": {"command": "a"}, "y": {"command": "b", "env": {}}}, "other": 2}');
  });
});
