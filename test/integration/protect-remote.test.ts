import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, removeHome, startEngine, type RunningEngine } from '../helpers/engine-harness.js';
import { startEverythingHttp, type RemoteServer } from '../helpers/remote-server.js';

describe('protect routes a remote entry of a real client config through the HTTP interposer', () => {
  let engine: RunningEngine;
  let everything: RemoteServer;
  let userHome: string;
  let configFile: string;
  let original: string;

  beforeAll(async () => {
    everything = await startEverythingHttp();
    userHome = makeHome();
    configFile = join(userHome, '.claude.json');
    // Claude Code's user file as it looks in the wild: state keys around the servers.
    original = `{
  "numStartups": 7,
  "mcpServers": {
    "everything": {
      "type": "http",
      "url": ${JSON.stringify(everything.url)}
    }
  },
  "userID": "0123"
}
`;
    writeFileSync(configFile, original);
    engine = await startEngine({ env: { HOME: userHome, XDG_CONFIG_HOME: join(userHome, '.config') }, cwd: userHome });
  });
  afterAll(async () => {
    await everything?.stop();
    await engine?.stop();
    if (engine) removeHome(engine.home);
    if (userHome) removeHome(userHome);
  });

  it('rewrites the url to /mcp/NAME, waits for approval, then relays echo to the original server; unprotect restores the file', async () => {
    const protect = engine.cli(['protect', '--client', 'claude-code']);
    expect(protect.code, protect.stderr).toBe(0);
    expect(protect.stdout).toContain('approve it to connect: mcp-firewall registry approve everything');
    const routed = (JSON.parse(readFileSync(configFile, 'utf8')) as { mcpServers: { everything: { type: string; url: string } } }).mcpServers.everything;
    expect(routed).toEqual({ type: 'http', url: `http://127.0.0.1:${engine.port}/mcp/everything` });

    const scan = JSON.parse(engine.cli(['scan', '--json', '--client', 'claude-code']).stdout) as { servers: Array<{ name: string; status: string; url: string }> };
    expect(scan.servers).toEqual([expect.objectContaining({ name: 'everything', status: 'protected', url: everything.url })]);

    // Not approved yet: the interposer refuses, so the rewrite alone opened nothing.
    const early = new Client({ name: 'claude-code-stand-in', version: '1.0.0' });
    await expect(early.connect(new StreamableHTTPClientTransport(new URL(routed.url)))).rejects.toThrow(/approve everything --url/);
    await early.close();

    const approve = engine.cli(['registry', 'approve', 'everything']);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toContain(`launch line pinned: url ${everything.url}`);

    const client = new Client({ name: 'claude-code-stand-in', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(routed.url)));
    try {
      const result = await client.callTool({ name: 'echo', arguments: { message: 'via the routed config' } });
      expect(JSON.stringify(result.content)).toContain('via the routed config');
    } finally {
      await client.close();
    }

    expect(engine.cli(['unprotect', '--client', 'claude-code']).code).toBe(0);
    expect(readFileSync(configFile, 'utf8')).toBe(original);
  });

  it("routes it from the dashboard's Protect too, to the port the engine serves", async () => {
    const protect = await engine.api('POST', '/dashboard/protect', { client: 'claude-code' });
    expect(protect.status).toBe(200);
    const routed = (JSON.parse(readFileSync(configFile, 'utf8')) as { mcpServers: { everything: { url: string } } }).mcpServers.everything;
    expect(routed.url).toBe(`http://127.0.0.1:${engine.port}/mcp/everything`);
    expect((await engine.api('POST', '/dashboard/unprotect', { client: 'claude-code' })).status).toBe(200);
    expect(readFileSync(configFile, 'utf8')).toBe(original);
  });
});
