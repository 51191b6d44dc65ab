import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_ADAPTERS, scanClients } from '../../../main/firewall/clients/index.js';
import { EXPECTED_SERVERS } from './expected-servers.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';

let fx: FixtureHome;
afterEach(() => fx.cleanup());

const key = (s: { client: string; scope: string; name: string; transport: string }) => `${s.client}|${s.scope}|${s.name}|${s.transport}`;

describe('scan', () => {
  it('finds every server in every client config of a real-format home', () => {
    fx = createFixtureHome();
    const result = scanClients(fx.deps);
    expect(result.errors).toEqual([]);
    expect(result.servers.map(key).sort()).toEqual([...EXPECTED_SERVERS].sort());
    // every registered adapter has at least one fixture file
    expect(new Set(result.servers.map((s) => s.client))).toEqual(new Set(CLIENT_ADAPTERS.map((a) => a.id)));
  });

  it('reads commands and urls in each dialect (goose cmd, opencode argv, zed legacy object, continue list)', () => {
    fx = createFixtureHome();
    const rows = scanClients(fx.deps).servers;
    const find = (client: string, name: string) => rows.find((r) => r.client === client && r.name === name)!;
    expect(find('goose', 'github')).toMatchObject({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'] });
    expect(find('goose', 'remote-tools').url).toBe('https://tools.example.com/mcp');
    expect(find('opencode', 'gh')).toMatchObject({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'] });
    expect(find('zed', 'everything')).toMatchObject({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] });
    expect(find('continue', 'SQLite')).toMatchObject({ command: 'uvx', args: ['mcp-server-sqlite', '--db-path', '/Users/dev/data.db'] });
    expect(find('windsurf', 'figma').url).toBe('https://mcp.figma.com/mcp');
    expect(find('codex-cli', 'time')).toMatchObject({ command: 'uvx', args: [] });
  });

  it('marks servers approved in the registry as registered and the rest as shadow', () => {
    fx = createFixtureHome(['memory']);
    const rows = scanClients(fx.deps).servers;
    expect(rows.find((r) => r.name === 'memory')?.status).toBe('registered');
    expect(rows.filter((r) => r.name !== 'memory').every((r) => r.status === 'shadow')).toBe(true);
  });

  it('flags plaintext secrets in env, headers, args and urls, masked, and ignores references', () => {
    fx = createFixtureHome();
    const rows = scanClients(fx.deps).servers;
    const secrets = (client: string, name: string) => rows.find((r) => r.client === client && r.name === name)!.secrets;
    expect(secrets('claude-desktop', 'github')).toEqual([
      expect.objectContaining({ where: 'env', name: 'GITHUB_PERSONAL_ACCESS_TOKEN', masked: 'ghp_…(40 chars)' }),
    ]);
    expect(secrets('claude-code', 'notion')[0]).toMatchObject({ where: 'header', name: 'Authorization' });
    expect(secrets('claude-code', 'postgres')[0]).toMatchObject({ where: 'arg', reason: 'password in URL' });
    expect(secrets('cline', 'zapier')[0]).toMatchObject({ where: 'url', name: 'path' });
    expect(secrets('gemini-cli', 'exa')[0]).toMatchObject({ where: 'url', name: '?exaApiKey' });
    expect(secrets('continue', 'Remote Docs')[0]).toMatchObject({ where: 'header', name: 'X-API-Key' });
    expect(secrets('amazon-q', 'git')[0]).toMatchObject({ where: 'env', name: 'AWS_SECRET_ACCESS_KEY' });
    // ${input:…}, $VAR, {env:…}, ${{ secrets.X }}, ${VAR} are references, not plaintext
    for (const [c, n] of [['vscode', 'github'], ['gemini-cli', 'gh'], ['opencode', 'gh'], ['continue', 'GitHub'], ['claude-code', 'airtable'], ['windsurf', 'figma']]) {
      expect(secrets(c!, n!), `${c}/${n}`).toEqual([]);
    }
    // nothing a client would treat as PATH-like is a "PAT"
    expect(secrets('junie', 'jetbrains')).toEqual([]);
  });

  it('never prints a secret value in full, in text or JSON rows', () => {
    fx = createFixtureHome();
    const dump = JSON.stringify(scanClients(fx.deps).servers.map((s) => [s.args, s.url, s.secrets]));
    for (const value of ['ghp_FAKEfakeFAKEfake0123456789abcdefABCD', 'hunter2secret', 'sk-ak-FAKE9f8e7d6c5b4a3210fake', 'exa-FAKEfake1234567890']) {
      expect(dump).not.toContain(value);
    }
    expect(dump).toContain('postgresql://app:hu…(13 chars)@localhost');
  });

  it('reports a corrupt config as an error for that file and keeps scanning the others', () => {
    fx = createFixtureHome();
    const file = join(fx.home, '.cursor', 'mcp.json');
    writeFileSync(file, '{\n  "mcpServers": {\n    "x": { "command": "npx" \n');
    const result = scanClients(fx.deps);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ client: 'cursor', file });
    expect(result.errors[0]!.message).toMatch(/invalid JSON .* at line \d+, column \d+/);
    expect(result.servers.length).toBe(EXPECTED_SERVERS.length - 2);
  });

  it('treats a wrap line that points at an unknown cli as a shadow server', () => {
    fx = createFixtureHome();
    writeFileSync(
      join(fx.home, '.lmstudio', 'mcp.json'),
      JSON.stringify({ mcpServers: { sneaky: { command: 'node', args: ['/tmp/evil.js', 'wrap', '--server', 'sneaky', '--', 'npx', 'x'] } } }),
    );
    const row = scanClients(fx.deps, { client: 'lm-studio' }).servers[0]!;
    expect(row.status).toBe('shadow');
    expect(row.note).toMatch(/unknown cli/);
  });
});
