import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import { KEYCHAIN_SERVICE } from '../../main/firewall/identity/secret-store.js';
import { startEngineWithClientHome, stdioEntry, type EngineWithClientHome } from '../helpers/client-home.js';
import type { RunningEngine } from '../helpers/engine-harness.js';
import { CLI, FIXTURES } from '../helpers/paths.js';

const FAULTY_SERVER = join(FIXTURES, 'servers', 'faulty-server.mjs');
const SERVER = 'everything-moved';
const TOKEN = 'sk-ant-FAKEfakeFAKEfake0123456789-moved';
// A Claude Desktop config with a plaintext token in env, next to a harmless setting.
const ORIGINAL = `{
  "mcpServers": {
    ${stdioEntry(SERVER, process.execPath, [FAULTY_SERVER], { ANTHROPIC_API_KEY: TOKEN, LOG_LEVEL: 'info' })}
  }
}
`;

describe('protect --move-secrets on the real keychain', () => {
  let engine: RunningEngine;
  let configFile: string;
  let env: NodeJS.ProcessEnv;
  let userHome: string;
  let fixture: EngineWithClientHome;
  beforeAll(async () => {
    fixture = await startEngineWithClientHome(ORIGINAL);
    ({ engine, userHome, configFile, clientEnv: env } = fixture);
  });
  afterAll(async () => {
    await fixture.stop();
    await keytar.deletePassword(KEYCHAIN_SERVICE, `${SERVER}/env/ANTHROPIC_API_KEY`);
  });

  it('moves the token out of the client file into the keychain, and the server still gets it at spawn', async () => {
    const protect = spawnSync(process.execPath, [CLI, 'protect', '--client', 'claude-desktop', '--move-secrets'], { env, encoding: 'utf8', cwd: userHome });
    expect(protect.status, protect.stderr + protect.stdout).toBe(0);
    expect(protect.stdout).toContain('moved 1 secret(s) to the OS keychain: ANTHROPIC_API_KEY');
    expect(protect.stdout + protect.stderr).not.toContain(TOKEN);

    const text = readFileSync(configFile, 'utf8');
    expect(text).not.toContain(TOKEN);
    const entry = (JSON.parse(text) as { mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }> }).mcpServers[SERVER]!;
    expect(entry.env).toEqual({ LOG_LEVEL: 'info' });
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, `${SERVER}/env/ANTHROPIC_API_KEY`)).toBe(TOKEN);

    // Launch exactly what the client would: its env no longer has the token.
    const transport = new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...(engine.env as Record<string, string>), ...entry.env } });
    const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
    await client.connect(transport);
    try {
      // Digests, not values: the firewall's output stage would (rightly) redact the token itself.
      const seen = async (name: string) => ((await client.callTool({ name: 'read_env_digest', arguments: { name } })) as { content: { text: string }[] }).content[0]!.text;
      expect(await seen('ANTHROPIC_API_KEY')).toBe(createHash('sha256').update(TOKEN).digest('hex'));
      expect(await seen('LOG_LEVEL')).toBe(createHash('sha256').update('info').digest('hex'));
    } finally {
      await client.close();
    }

    // Names only in the audit and the engine's log.
    const audit = engine.cli(['audit', 'query', "SELECT decision, reason FROM mcp_audit WHERE event = 'secret'", '--json']);
    expect(audit.stdout).toContain('moved from a client config');
    expect(audit.stdout).toContain('INJECTED');
    expect(audit.stdout + engine.stderr()).not.toContain(TOKEN);
    // The engine's database never holds the value (the keychain does).
    const data = readdirSync(engine.home).filter((f) => f.startsWith('firewall.db'));
    for (const f of data) expect(readFileSync(join(engine.home, f)).includes(TOKEN), f).toBe(false);
  });

  it('keeps no copy of the token in the data dir; unprotect puts it back from the keychain, or refuses and writes nothing when it cannot', async () => {
    // The saved original and the backup of the config: the token's place names its keychain item.
    const copies = walk(join(engine.home, 'clients'));
    expect(copies.some((f) => f.endsWith('.orig'))).toBe(true);
    expect(copies.some((f) => f.endsWith('.bak'))).toBe(true);
    for (const f of walk(engine.home)) expect(readFileSync(f).includes(TOKEN), f).toBe(false);
    expect(copies.some((f) => readFileSync(f, 'utf8').includes(`moved-to-os-keychain:mcp-firewall:${SERVER}/env/ANTHROPIC_API_KEY`))).toBe(true);

    const protectedText = readFileSync(configFile, 'utf8');
    const unprotect = (extra: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [CLI, 'unprotect', '--client', 'claude-desktop'], { env: { ...env, ...extra }, encoding: 'utf8', cwd: userHome });
    // No session bus: the keychain cannot be asked.
    const unreachable = unprotect({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/mcpfw-no-bus' });
    expect(unreachable.status).toBe(1);
    expect(unreachable.stdout + unreachable.stderr).toMatch(/ANTHROPIC_API_KEY of 'everything-moved' \(keychain item mcp-firewall everything-moved\/env\/ANTHROPIC_API_KEY\) only as a placeholder, and the OS keychain is not reachable/);
    expect(readFileSync(configFile, 'utf8')).toBe(protectedText);
    await keytar.deletePassword(KEYCHAIN_SERVICE, `${SERVER}/env/ANTHROPIC_API_KEY`);
    const gone = unprotect();
    expect(gone.status).toBe(1);
    expect(gone.stdout + gone.stderr).toContain(`which is gone; nothing written: put it back with 'mcp-firewall secrets set ${SERVER} ANTHROPIC_API_KEY'`);
    expect(readFileSync(configFile, 'utf8')).toBe(protectedText);

    await keytar.setPassword(KEYCHAIN_SERVICE, `${SERVER}/env/ANTHROPIC_API_KEY`, TOKEN);
    const restored = unprotect();
    expect(restored.status, restored.stdout + restored.stderr).toBe(0);
    expect(restored.stdout).toContain('original bytes, its ANTHROPIC_API_KEY back from the OS keychain');
    expect(restored.stdout + restored.stderr).not.toContain(TOKEN);
    expect(readFileSync(configFile, 'utf8')).toBe(ORIGINAL);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}
