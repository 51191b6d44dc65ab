import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClaudeDesktopHome, stdioEntry, type ClientHome } from '../helpers/client-home.js';
import { makeHome, removeHome, startEngine, waitFor, type RunningEngine } from '../helpers/engine-harness.js';
import { CLI, EVERYTHING_SERVER } from '../helpers/paths.js';

const ORIGINAL = `{
  "globalShortcut": "Ctrl+Space",
  "mcpServers": {
    ${stdioEntry('everything', process.execPath, [EVERYTHING_SERVER], { LOG_LEVEL: 'info' })}
  }
}
`;

interface Entry { command: string; args: string[]; env: Record<string, string> }

/** A Node install of its own, as nvm keeps one per version: the same binary under another path. */
function installOldNode(dir: string): string {
  const bin = join(dir, 'versions', 'node', 'v22.13.0', 'bin');
  mkdirSync(bin, { recursive: true });
  const node = join(bin, 'node');
  try {
    linkSync(process.execPath, node);
  } catch {
    copyFileSync(process.execPath, node);
  }
  return node;
}

describe('serve re-points wrap lines whose Node was upgraded away', () => {
  let client: ClientHome;
  let dataHome: string;
  let nvm: string;
  // Engine runs 1 and 2, on one data dir.
  const engines: RunningEngine[] = [];

  beforeAll(() => {
    client = makeClaudeDesktopHome(ORIGINAL);
    dataHome = makeHome();
    nvm = makeHome();
  });
  afterAll(async () => {
    for (const engine of engines) await engine.stop();
    removeHome(nvm);
    removeHome(dataHome);
    removeHome(client.userHome);
  });

  it('moves the entry to the engine\'s own node at start, the client starts the server through it, and unprotect restores the file', async () => {
    // Engine run 1; the user protects with the Node nvm had then.
    const first = await startEngine({ home: dataHome, env: client.env, cwd: client.userHome });
    engines.push(first);
    const oldNode = installOldNode(nvm);
    const protect = spawnSync(oldNode, [CLI, 'protect', '--client', 'claude-desktop'], { env: first.env, cwd: client.userHome, encoding: 'utf8' });
    expect(protect.status, protect.stderr).toBe(0);
    const entry = () => (JSON.parse(readFileSync(client.configFile, 'utf8')) as { mcpServers: { everything: Entry } }).mcpServers.everything;
    expect(entry().command).toBe(oldNode);
    await first.stop();

    // nvm install 24 && nvm uninstall 22: the old binary is gone; scan says so.
    rmSync(join(nvm, 'versions', 'node', 'v22.13.0'), { recursive: true });
    const scan = spawnSync(process.execPath, [CLI, 'scan', '--client', 'claude-desktop'], { env: first.env, cwd: client.userHome, encoding: 'utf8' });
    expect(scan.stdout).toContain(`note: launches ${oldNode}, which no longer exists`);

    // Engine run 2 moves it to the node it runs on, before it announced itself, and audits it.
    const second = await startEngine({ home: dataHome, env: client.env, cwd: client.userHome });
    engines.push(second);
    expect(entry().command).toBe(process.execPath);
    expect(entry().args.slice(1)).toEqual(['wrap', '--server', 'everything', '--client', 'claude-desktop', '--', process.execPath, EVERYTHING_SERVER]);
    await waitFor(() => second.stderr().includes('re-pointed  claude-desktop everything'), 'serve to report the move');
    expect(second.stderr()).toContain(`(${client.configFile}): ${oldNode} ${entry().args[0]} -> ${process.execPath} ${entry().args[0]}`);
    const audited = second.cli(['audit', 'query', "SELECT decision, server_name, actor_id FROM mcp_audit WHERE rule_id = 'stale-route' ORDER BY id", '--json']);
    expect(JSON.parse(audited.stdout)).toEqual([{ decision: 'REPOINTED', server_name: 'everything', actor_id: 'engine-start' }]);
    const rows = (JSON.parse(second.cli(['scan', '--json', '--client', 'claude-desktop']).stdout) as { servers: Array<{ status: string; note?: string }> }).servers;
    expect(rows).toEqual([expect.objectContaining({ status: 'protected' })]);
    expect(rows[0]!.note).toBeUndefined();

    // The launch after `--` did not change, so its approval still holds: the client's server runs.
    const { command, args, env } = entry();
    const mcp = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
    await mcp.connect(new StdioClientTransport({ command, args, env: { ...(second.env as Record<string, string>), ...env } }));
    try {
      const result = await mcp.callTool({ name: 'echo', arguments: { message: 'after the upgrade' } });
      expect(JSON.stringify(result.content)).toContain('after the upgrade');
    } finally {
      await mcp.close();
    }

    const unprotect = second.cli(['unprotect', '--client', 'claude-desktop']);
    expect(unprotect.code, unprotect.stderr).toBe(0);
    expect(readFileSync(client.configFile, 'utf8')).toBe(ORIGINAL);
  });
});
