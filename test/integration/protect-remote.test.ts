import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, removeHome, startEngine, type RunningEngine } from '../helpers/engine-harness.js';
import { startEverythingHttp, startEverythingSse, type RemoteServer } from '../helpers/remote-server.js';

/** Connects as the client would, calls echo, hangs up; returns the result's content as JSON. */
async function echoThrough(transport: Transport, message: string): Promise<string> {
  const client = new Client({ name: 'claude-code-stand-in', version: '1.0.0' });
  await client.connect(transport);
  try {
    return JSON.stringify((await client.callTool({ name: 'echo', arguments: { message } })).content);
  } finally {
    await client.close();
  }
}

interface ClaudeHome {
  engine: RunningEngine;
  everything: RemoteServer;
  configFile: string;
  original: string;
}

/** A real `serve` whose user home holds Claude Code's file with one remote entry, `everything`, of `type`. */
function claudeHomeWith(startServer: () => Promise<RemoteServer>, type: 'http' | 'sse'): ClaudeHome {
  const home = {} as ClaudeHome;
  let userHome: string | undefined;
  beforeAll(async () => {
    home.everything = await startServer();
    userHome = makeHome();
    home.configFile = join(userHome, '.claude.json');
    // Claude Code's user file as it looks in the wild: state keys around the servers.
    home.original = `{
  "numStartups": 7,
  "mcpServers": {
    "everything": {
      "type": "${type}",
      "url": ${JSON.stringify(home.everything.url)}
    }
  },
  "userID": "0123"
}
`;
    writeFileSync(home.configFile, home.original);
    home.engine = await startEngine({ env: { HOME: userHome, XDG_CONFIG_HOME: join(userHome, '.config') }, cwd: userHome });
  });
  afterAll(async () => {
    await home.everything?.stop();
    await home.engine?.stop();
    if (home.engine) removeHome(home.engine.home);
    if (userHome) removeHome(userHome);
  });
  return home;
}

describe('protect routes a remote entry of a real client config through the HTTP interposer', () => {
  const home = claudeHomeWith(() => startEverythingHttp(), 'http');

  it('rewrites the url to /mcp/NAME, waits for approval, then relays echo to the original server; unprotect restores the file', async () => {
    const protect = home.engine.cli(['protect', '--client', 'claude-code']);
    expect(protect.code, protect.stderr).toBe(0);
    expect(protect.stdout).toContain('approve it to connect: mcp-firewall registry approve everything');
    const routed = (JSON.parse(readFileSync(home.configFile, 'utf8')) as { mcpServers: { everything: { type: string; url: string } } }).mcpServers.everything;
    expect(routed).toEqual({ type: 'http', url: home.engine.route('everything') });

    const scan = JSON.parse(home.engine.cli(['scan', '--json', '--client', 'claude-code']).stdout) as { servers: Array<{ name: string; status: string; url: string }> };
    expect(scan.servers).toEqual([expect.objectContaining({ name: 'everything', status: 'protected', url: home.everything.url })]);

    // Not approved yet: the interposer refuses, so the rewrite alone opened nothing.
    const early = new Client({ name: 'claude-code-stand-in', version: '1.0.0' });
    // It names the fix that works: the URL protect left as the proposal, pinned by a bare approve.
    await expect(early.connect(new StreamableHTTPClientTransport(new URL(routed.url)))).rejects.toThrow(`its URL ${home.everything.url} waits for approval. To allow it: mcp-firewall registry approve everything`);
    await early.close();

    const approve = home.engine.cli(['registry', 'approve', 'everything']);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toContain(`launch line pinned: url ${home.everything.url}`);

    expect(await echoThrough(new StreamableHTTPClientTransport(new URL(routed.url)), 'via the routed config')).toContain('via the routed config');

    expect(home.engine.cli(['unprotect', '--client', 'claude-code']).code).toBe(0);
    expect(readFileSync(home.configFile, 'utf8')).toBe(home.original);
  });

  it("routes it from the dashboard's Protect too, to the port the home.engine serves", async () => {
    const protect = await home.engine.api('POST', '/dashboard/protect', { client: 'claude-code' });
    expect(protect.status).toBe(200);
    const routed = (JSON.parse(readFileSync(home.configFile, 'utf8')) as { mcpServers: { everything: { url: string } } }).mcpServers.everything;
    expect(routed.url).toBe(home.engine.route('everything'));
    expect((await home.engine.api('POST', '/dashboard/unprotect', { client: 'claude-code' })).status).toBe(200);
    expect(readFileSync(home.configFile, 'utf8')).toBe(home.original);
  });
});

describe('protect routes a legacy SSE entry of a real client config through the interposer', () => {
  const home = claudeHomeWith(() => startEverythingSse(), 'sse');

  it('rewrites the url to /mcp/NAME/sse, pins the SSE transport on approve, relays echo, and unprotect restores the file', async () => {
    const protect = home.engine.cli(['protect', '--client', 'claude-code']);
    expect(protect.code, protect.stderr).toBe(0);
    expect(protect.stdout).toContain('approve it to connect: mcp-firewall registry approve everything');
    const routed = (JSON.parse(readFileSync(home.configFile, 'utf8')) as { mcpServers: { everything: { type: string; url: string } } }).mcpServers.everything;
    expect(routed).toEqual({ type: 'sse', url: home.engine.route('everything', '/sse') });

    const scan = JSON.parse(home.engine.cli(['scan', '--json', '--client', 'claude-code']).stdout) as { servers: Array<{ name: string; status: string; url: string }> };
    expect(scan.servers).toEqual([expect.objectContaining({ name: 'everything', status: 'protected', transport: 'sse', url: home.everything.url })]);

    const early = new Client({ name: 'claude-code-stand-in', version: '1.0.0' });
    await expect(early.connect(new SSEClientTransport(new URL(routed.url)))).rejects.toThrow(`waits for approval. To allow it: mcp-firewall registry approve everything`);
    await early.close();

    const approve = home.engine.cli(['registry', 'approve', 'everything']);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toContain(`launch line pinned: sse-url ${home.everything.url}`);

    expect(await echoThrough(new SSEClientTransport(new URL(routed.url)), 'via the routed sse config')).toContain('via the routed sse config');

    expect(home.engine.cli(['unprotect', '--client', 'claude-code']).code).toBe(0);
    expect(readFileSync(home.configFile, 'utf8')).toBe(home.original);
  });
});
