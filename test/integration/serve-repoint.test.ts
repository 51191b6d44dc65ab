import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, removeHome, startEngine, waitFor, type RunningEngine } from '../helpers/engine-harness.js';
import { startEverythingHttp, type RemoteServer } from '../helpers/remote-server.js';

interface ScanRow {
  name: string;
  status: string;
  url: string;
  note?: string;
  staleRoute?: { port: number; enginePort: number; ours: boolean };
}

/** Whatever took the firewall's old port: it counts the requests a dangling route would send it. */
function squatOn(port: number): Promise<{ server: Server; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, requests: () => requests }));
  });
}

describe('serve re-points routes protect wrote when it listens on another port', () => {
  let everything: RemoteServer;
  let userHome: string;
  let dataHome: string;
  let first: RunningEngine | undefined;
  let second: RunningEngine | undefined;
  let squatter: Awaited<ReturnType<typeof squatOn>> | undefined;
  const env = () => ({ HOME: userHome, XDG_CONFIG_HOME: join(userHome, '.config') });

  beforeAll(async () => {
    everything = await startEverythingHttp();
    userHome = makeHome();
    dataHome = makeHome();
  });
  afterAll(async () => {
    await everything?.stop();
    await first?.stop();
    await second?.stop();
    await new Promise((resolve) => (squatter ? squatter.server.close(resolve) : resolve(undefined)));
    removeHome(dataHome);
    removeHome(userHome);
  });

  it('moves the entry from port A to the engine on B at start, the client reaches the server through B, and unprotect restores the file', async () => {
    // Engine run 1, on port A: the user protects a Claude Code config. The file also holds
    // a route to A that somebody else wrote (lookalike): protect never wrote it.
    first = await startEngine({ home: dataHome, env: env(), cwd: userHome });
    const portA = first.port;
    const configFile = join(userHome, '.claude.json');
    const original = `{
  "numStartups": 7,
  "mcpServers": {
    "everything": {
      "type": "http",
      "url": ${JSON.stringify(everything.url)}
    },
    "lookalike": { "type": "http", "url": "http://127.0.0.1:${portA}/mcp/lookalike" }
  },
  "userID": "0123"
}
`;
    writeFileSync(configFile, original);
    expect(first.cli(['protect', '--client', 'claude-code']).code).toBe(0);
    const servers = () => (JSON.parse(readFileSync(configFile, 'utf8')) as { mcpServers: Record<string, { type: string; url: string }> }).mcpServers;
    expect(servers().everything!.url).toBe(first.route('everything'));
    expect(first.cli(['registry', 'approve', 'everything']).code).toBe(0);
    await first.stop();

    // Engine run 2: another process took port A, the engine listens on B.
    squatter = await squatOn(portA);
    second = await startEngine({ home: dataHome, env: env(), cwd: userHome });
    const portB = second.port;
    expect(portB).not.toBe(portA);

    // serve moved our route to B before it announced itself, said so, and audited it; the
    // look-alike (not ours) stays on A, audited as a stale route left alone.
    expect(servers()).toEqual({
      everything: { type: 'http', url: second.route('everything') },
      lookalike: { type: 'http', url: `http://127.0.0.1:${portA}/mcp/lookalike` },
    });
    // serve prints the moves once it runs, a moment after control.json appears.
    await waitFor(() => second!.stderr().includes('stale route claude-code lookalike'), 'serve to report the routes');
    const key = second.routeKey;
    const shown = (url: string) => url.replace(key, `${key.slice(0, 4)}…(43 chars)`);
    expect(second.stderr()).toContain(`re-pointed  claude-code everything (${configFile}): ${shown(first.route('everything'))} -> ${shown(second.route('everything'))}`);
    expect(second.stderr()).not.toContain(second.routeKey);
    expect(second.stderr()).toMatch(/stale route claude-code lookalike .* left as is: .*protect did not write this URL/);
    const audited = second.cli(['audit', 'query', "SELECT decision, server_name, actor_id FROM mcp_audit WHERE rule_id = 'stale-route' ORDER BY id", '--json']);
    expect(JSON.parse(audited.stdout)).toEqual([
      { decision: 'REPOINTED', server_name: 'everything', actor_id: 'engine-start' },
      { decision: 'STALE_ROUTE', server_name: 'lookalike', actor_id: 'engine-start' },
    ]);

    // scan and the dashboard: ours is protected again; the look-alike is stale, and not ours.
    const scan = second.cli(['scan', '--json', '--client', 'claude-code']);
    const rows = (JSON.parse(scan.stdout) as { servers: ScanRow[] }).servers;
    expect(rows.find((r) => r.name === 'everything')).toMatchObject({ status: 'protected', url: everything.url });
    expect(rows.find((r) => r.name === 'everything')!.staleRoute).toBeUndefined();
    expect(rows.find((r) => r.name === 'lookalike')).toMatchObject({
      staleRoute: { port: portA, enginePort: portB, ours: false },
      note: expect.stringContaining('protect did not write this URL'),
    });
    expect(second.cli(['scan', '--client', 'claude-code']).stdout).toContain(`note: points at a firewall route on port ${portA}, not the firewall's port ${portB}`);
    const dashboard = (await second.api('POST', '/dashboard/servers')).body as { servers: Array<{ name: string; note: string | null }> };
    expect(dashboard.servers.find((r) => r.name === 'lookalike')!.note).toContain(`port ${portA}, not the firewall's port ${portB}`);

    // protect has nothing left to move, and says why it leaves the look-alike.
    const protect = second.cli(['protect', '--client', 'claude-code']);
    expect(protect.code, protect.stderr).toBe(0);
    expect(protect.stdout).toMatch(/remote: not routed +claude-code {2}lookalike .*protect did not write this URL/);
    expect(protect.stdout).not.toContain('re-pointed');

    // The client, using the rewritten URL, reaches the real server through the engine on B.
    const client = new Client({ name: 'claude-code-stand-in', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(servers().everything!.url)));
    try {
      const result = await client.callTool({ name: 'echo', arguments: { message: 'after the move' } });
      expect(JSON.stringify(result.content)).toContain('after the move');
    } finally {
      await client.close();
    }
    expect(squatter.requests()).toBe(0);

    const unprotect = second.cli(['unprotect', '--client', 'claude-code']);
    expect(unprotect.code, unprotect.stderr).toBe(0);
    expect(readFileSync(configFile, 'utf8')).toBe(original);
  });
});
