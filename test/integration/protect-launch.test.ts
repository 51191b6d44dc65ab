import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startEngineWithClientHome, stdioEntry, type EngineWithClientHome } from '../helpers/client-home.js';
import type { RunningEngine } from '../helpers/engine-harness.js';
import { CLI, EVERYTHING_SERVER } from '../helpers/paths.js';

// A Claude Desktop config as users write it: no comments (the app rejects them), other
// top-level settings beside the servers.
const ORIGINAL = `{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    ${stdioEntry('everything', process.execPath, [EVERYTHING_SERVER], { LOG_LEVEL: 'info' })}
  }
}
`;

describe('protect rewrites a client config so its server runs through the firewall', () => {
  let engine: RunningEngine;
  let userHome: string;
  let configFile: string;
  let env: NodeJS.ProcessEnv;
  let fixture: EngineWithClientHome;
  beforeAll(async () => {
    fixture = await startEngineWithClientHome(ORIGINAL);
    ({ engine, userHome, configFile, clientEnv: env } = fixture);
  });
  afterAll(() => fixture.stop());

  it('scans the server as shadow, protects it, launches it through wrap, and restores the file byte for byte', async () => {
    const withHome = (args: string[]) => {
      const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', cwd: userHome });
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
      return { code: r.status, stdout: r.stdout };
    };
    const before = JSON.parse(withHome(['scan', '--json', '--client', 'claude-desktop']).stdout) as { servers: Array<{ name: string; status: string }> };
    expect(before.servers).toEqual([expect.objectContaining({ name: 'everything', status: 'shadow' })]);

    const protect = withHome(['protect', '--client', 'claude-desktop']);
    expect(protect.code).toBe(0);
    const rewritten = JSON.parse(readFileSync(configFile, 'utf8')) as { globalShortcut: string; mcpServers: { everything: { command: string; args: string[]; env: Record<string, string> } } };
    expect(rewritten.globalShortcut).toBe('Ctrl+Space');
    const entry = rewritten.mcpServers.everything;
    expect(entry.command).toBe(process.execPath);
    expect(entry.args.slice(1, 4)).toEqual(['wrap', '--server', 'everything']);
    const after = JSON.parse(withHome(['scan', '--json', '--client', 'claude-desktop']).stdout) as { servers: Array<{ status: string }> };
    expect(after.servers[0]!.status).toBe('protected');

    // Launch exactly what the client would.
    const transport = new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...(engine.env as Record<string, string>), ...entry.env } });
    const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'echo', arguments: { message: 'via protected config' } });
      expect(JSON.stringify(result.content)).toContain('via protected config');
    } finally {
      await client.close();
    }
    const pinned = JSON.parse(engine.cli(['registry', 'list', '--json']).stdout) as Array<{ name: string; fingerprint: { args: string[] } }>;
    expect(pinned).toEqual([expect.objectContaining({ name: 'everything', fingerprint: { command: process.execPath, args: [EVERYTHING_SERVER] } })]);

    expect(withHome(['unprotect', '--client', 'claude-desktop']).code).toBe(0);
    expect(readFileSync(configFile, 'utf8')).toBe(ORIGINAL);
  });
});
