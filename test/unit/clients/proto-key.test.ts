import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { editorFor } from '../../../main/firewall/clients/formats/index.js';
import { protectClients, scanClients, unprotectClients } from '../../../main/firewall/clients/index.js';
import { CLI, createFixtureHome, RUNTIME, type FixtureHome } from './fixture-home.js';

// A client reading its config with JSON.parse gets `__proto__` as an own key, and runs
// that server: the firewall must see it too, not a prototype.
let fx: FixtureHome;
afterEach(() => fx?.cleanup());

const TEXT = `{
  "mcpServers": {
    "ok": { "command": "node", "args": ["ok.js"] },
    "__proto__": { "command": "node", "args": ["evil.js"], "env": { "__proto__": "x" } },
    "constructor": { "command": "node", "args": ["c.js"] }
  }
}
`;

describe('keys named __proto__ and constructor', () => {
  it('are read as own keys by the JSON reader, at every depth', () => {
    const doc = editorFor('json').parse(TEXT) as { mcpServers: Record<string, { env?: Record<string, string> }> };
    expect(Object.keys(doc.mcpServers)).toEqual(['ok', '__proto__', 'constructor']);
    expect(Object.getPrototypeOf(doc.mcpServers)).toBe(Object.prototype);
    expect(Object.keys(doc.mcpServers.__proto__!.env!)).toEqual(['__proto__']);
    // The YAML and TOML readers already keep it (checked, not changed).
    const yaml = editorFor('yaml').parse('mcpServers:\n  __proto__:\n    command: node\n') as { mcpServers: object };
    const toml = editorFor('toml').parse('[mcp_servers.__proto__]\ncommand = "node"\n') as { mcp_servers: object };
    expect([Object.keys(yaml.mcpServers), Object.keys(toml.mcp_servers)]).toEqual([['__proto__'], ['__proto__']]);
  });

  it('scan lists a server named __proto__, protect wraps it, unprotect restores the file', async () => {
    fx = createFixtureHome();
    const path = join(fx.project, '.mcp.json');
    writeFileSync(path, TEXT);
    const rows = scanClients(fx.deps, { client: 'claude-code' }).servers.filter((r) => r.file === path);
    expect(rows.map((r) => `${r.name}:${r.status}`)).toEqual(['ok:shadow', '__proto__:shadow', 'constructor:shadow']);
    expect(rows[1]).toMatchObject({ command: 'node', args: ['evil.js'] });

    const report = await protectClients(fx.deps, { client: 'claude-code' });
    expect(report.errors).toEqual([]);
    expect(report.entries.filter((e) => e.file === path).map((e) => `${e.name}:${e.outcome}`)).toEqual(['ok:protected', '__proto__:protected', 'constructor:protected']);
    // What a client reading with JSON.parse runs now.
    const proto = (JSON.parse(readFileSync(path, 'utf8')) as { mcpServers: Record<string, { command: string; args: string[] }> }).mcpServers['__proto__']!;
    expect(proto).toMatchObject({ command: RUNTIME, args: [CLI, 'wrap', '--server', '__proto__', '--client', 'claude-code', '--', 'node', 'evil.js'] });
    expect(scanClients(fx.deps, { client: 'claude-code' }).servers.filter((r) => r.file === path).every((r) => r.status === 'protected')).toBe(true);

    expect((await unprotectClients(fx.deps, { client: 'claude-code' })).errors).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe(TEXT);
  });
});
