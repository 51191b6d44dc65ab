import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEngineWithClientHome, stdioEntry, type EngineWithClientHome } from '../helpers/client-home.js';
import { CLI, FILESYSTEM_SERVER } from '../helpers/paths.js';

// The same server under the same name in two clients, with other arguments: the filesystem
// server with the user's documents in Claude Desktop and their code in Cursor. `protect`
// routes both; both must keep working through the firewall, and neither may look like drift
// (whose gate pages the security team).

describe('protect with one server name in two clients, launched with different arguments', () => {
  let fixture: EngineWithClientHome;
  let docs: string;
  let code: string;
  let cursorFile: string;
  beforeAll(async () => {
    // Both configs are there before `serve` starts, as when a user runs `protect`: written
    // while it runs, its config watch (polling every 200 ms in tests) may see the entries
    // before `protect` routes them, and rightly records shadow entries, which page the drift gate.
    const policy = 'version: v1\ndefaults:\n  decision: ALLOW\nrules: []\n';
    fixture = await startEngineWithClientHome('{ "mcpServers": {} }\n', { policy }, (home) => {
      docs = join(home.userHome, 'docs');
      code = join(home.userHome, 'code');
      mkdirSync(docs);
      mkdirSync(code);
      writeFileSync(home.configFile, `{ "mcpServers": { ${stdioEntry('filesystem', process.execPath, [FILESYSTEM_SERVER, docs])} } }\n`);
      mkdirSync(join(home.userHome, '.cursor'));
      cursorFile = join(home.userHome, '.cursor', 'mcp.json');
      writeFileSync(cursorFile, `{ "mcpServers": { ${stdioEntry('filesystem', process.execPath, [FILESYSTEM_SERVER, code])} } }\n`);
    });
  });
  afterAll(() => fixture.stop());

  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { env: fixture.clientEnv, encoding: 'utf8', cwd: fixture.userHome });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  async function allowedDirectories(configFile: string): Promise<string> {
    const entry = (JSON.parse(readFileSync(configFile, 'utf8')) as { mcpServers: { filesystem: { command: string; args: string[] } } }).mcpServers.filesystem;
    expect(entry.args.slice(1, 4)).toEqual(['wrap', '--server', 'filesystem']);
    const client = new Client({ name: 'stand-in', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: fixture.clientEnv as Record<string, string> }));
    try {
      const result = await client.callTool({ name: 'list_allowed_directories', arguments: {} });
      return JSON.stringify(result.content);
    } finally {
      await client.close();
    }
  }

  it('approves both launch lines, runs each client its own server, and records no drift', async () => {
    cli(['protect']);
    // Each client, in either order, gets the server it configured.
    expect(await allowedDirectories(cursorFile)).toContain(realpathSync(code));
    expect(await allowedDirectories(fixture.configFile)).toContain(realpathSync(docs));
    expect(await allowedDirectories(cursorFile)).toContain(realpathSync(code));

    const [entry] = JSON.parse(cli(['registry', 'list', '--json'])) as Array<{ name: string; fingerprint: { args: string[] }; moreLaunches: Array<{ args: string[] }> }>;
    expect(entry!.name).toBe('filesystem');
    expect([entry!.fingerprint, ...entry!.moreLaunches].map((l) => l.args.at(-1)).sort()).toEqual([code, docs].sort());
    // The table: the name's row, then a row for its other launch line, each showing what runs and its end.
    const table = cli(['registry', 'list']).trimEnd().split('\n').slice(2);
    expect(table).toEqual([expect.stringMatching(/^filesystem\s+true\s+node …\S+ \/\S+\/(docs|code)\s+\d{4}-/), expect.stringMatching(/^\s+node …\S+ \/\S+\/(docs|code)$/)]);

    const refused = JSON.parse(cli(['audit', 'query', "SELECT rule_id FROM mcp_audit WHERE server_name = 'filesystem' AND decision = 'DENY'", '--json'])) as unknown[];
    expect(refused).toEqual([]);
    const gates = JSON.parse(spawnSync(process.execPath, [CLI, 'gates', '--json'], { env: fixture.clientEnv, encoding: 'utf8' }).stdout) as Array<{ id: string; value: number; paging: boolean }>;
    expect(gates.find((g) => g.id === 'registry-drift')).toMatchObject({ value: 0, paging: false });
  });

  it('still refuses a third launch line under that name as drift', async () => {
    const edited = readFileSync(cursorFile, 'utf8').replace(JSON.stringify(code), JSON.stringify(fixture.userHome));
    writeFileSync(cursorFile, edited);
    await expect(allowedDirectories(cursorFile)).rejects.toThrow(/launch line changed \(registry drift\).* and 1 other, got/);
  });

  it('registry approve --replace makes the refused line the only one: the others are drift from then on', async () => {
    expect(cli(['registry', 'approve', 'filesystem', '--replace'])).toContain(`launch line pinned: ${process.execPath} ${FILESYSTEM_SERVER} ${fixture.userHome}`);
    expect(await allowedDirectories(cursorFile)).toContain(realpathSync(fixture.userHome));
    await expect(allowedDirectories(fixture.configFile)).rejects.toThrow(/registry drift/);
    const [entry] = JSON.parse(cli(['registry', 'list', '--json'])) as Array<{ moreLaunches: unknown[] }>;
    expect(entry!.moreLaunches).toEqual([]);
  });
});
