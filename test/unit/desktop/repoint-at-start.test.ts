import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngineHost, type EngineHost, type EngineHostOptions } from '../../../main/desktop/engine-host.js';
import { makeHome, removeHome, routeUrl } from '../../helpers/engine-harness.js';
import { REPO_ROOT } from '../../helpers/paths.js';

/** Claude Code's user file with one remote entry, and a route somebody else wrote for `port`. */
const claudeJson = (port: number) => `{
  "numStartups": 3,
  "mcpServers": {
    "docs": { "type": "http", "url": "https://docs.example.com/mcp" },
    "lookalike": { "type": "http", "url": "http://127.0.0.1:${port}/mcp/lookalike" }
  }
}
`;

/** A route as reports and the audit show it: the key masked. */
const shown = (url: string) => url.replace(/key=(.{4})[^&]+$/, 'key=$1…(43 chars)');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo();
});

function listen(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('the desktop engine start re-points routes protect wrote for another port', () => {
  it('moves our route to the port it fell back to, audits it, leaves a look-alike, and unprotect still restores the file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcpfw-host-'));
    const userHome = makeHome();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), () => removeHome(userHome));
    const configFile = join(userHome, '.claude.json');
    const options = (port: number): EngineHostOptions => ({
      dataDir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), rendererDir: join(dataDir, 'none'), port,
      clients: { env: { HOME: userHome, XDG_CONFIG_HOME: join(userHome, '.config') }, platform: 'linux', projectDirs: [], runtimePath: process.execPath, cliPath: '/nonexistent/cli.js' },
    });
    const started = async (port: number) => {
      const host = await startEngineHost(options(port));
      cleanups.push(() => host.close());
      return host;
    };

    // First run: the app got its preferred port and the user protected from the dashboard.
    const first: EngineHost = await started(0);
    const preferred = first.port;
    const original = claudeJson(preferred);
    writeFileSync(configFile, original);
    expect(first.staleRoutes.entries).toEqual([]);
    await first.service.protect({ client: 'claude-code' });
    const routedUrl = () => (JSON.parse(readFileSync(configFile, 'utf8')) as { mcpServers: Record<string, { url: string }> }).mcpServers;
    const key = first.engine.routeKey;
    expect(routedUrl().docs!.url).toBe(routeUrl(preferred, key, 'docs'));
    await first.close();

    // Next run: another process squats on that port, so the app falls back to a free one.
    const squatter = await listen(preferred);
    cleanups.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const second = await started(preferred);
    expect(second.port).not.toBe(preferred);

    expect(routedUrl().docs!.url).toBe(routeUrl(second.port, key, 'docs'));
    expect(routedUrl().lookalike!.url).toBe(`http://127.0.0.1:${preferred}/mcp/lookalike`);
    expect(second.staleRoutes.entries).toEqual([
      expect.objectContaining({ name: 'docs', outcome: 'repointed', route: { from: shown(routeUrl(preferred, key, 'docs')), to: shown(routeUrl(second.port, key, 'docs')) } }),
      expect.objectContaining({ name: 'lookalike', outcome: 'remote-not-routed', detail: expect.stringContaining('protect did not write this URL') }),
    ]);
    const audit = second.engine.db.prepare("SELECT decision, server_name, actor_id, reason FROM mcp_audit WHERE rule_id = 'stale-route' ORDER BY id").all();
    expect(audit).toEqual([
      { decision: 'REPOINTED', server_name: 'docs', actor_id: 'engine-start', reason: `${configFile}: ${shown(routeUrl(preferred, key, 'docs'))} -> ${shown(routeUrl(second.port, key, 'docs'))}` },
      expect.objectContaining({ decision: 'STALE_ROUTE', server_name: 'lookalike' }),
    ]);
    // The dashboard's server list says what is left stale and why.
    const rows = (await second.service.servers()).servers;
    expect(rows.find((r) => r.name === 'docs')).toMatchObject({ status: 'protected', launch: 'https://docs.example.com/mcp', note: null });
    expect(rows.find((r) => r.name === 'lookalike')!.note).toContain(`points at a firewall route on port ${preferred}, not the firewall's port ${second.port}`);

    await second.service.unprotect({ client: 'claude-code' });
    expect(readFileSync(configFile, 'utf8')).toBe(original);
  });

  it("gives the routes an install wrote before route keys this install's key at the next start, on the same port", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcpfw-host-'));
    const userHome = makeHome();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), () => removeHome(userHome));
    const configFile = join(userHome, '.claude.json');
    const options: EngineHostOptions = {
      dataDir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), rendererDir: join(dataDir, 'none'), port: 0,
      clients: { env: { HOME: userHome }, platform: 'linux', projectDirs: [], runtimePath: process.execPath, cliPath: '/nonexistent/cli.js' },
    };
    const first = await startEngineHost(options);
    cleanups.push(() => first.close());
    const original = claudeJson(1);
    writeFileSync(configFile, original);
    await first.service.protect({ client: 'claude-code' });
    const key = first.engine.routeKey;
    await first.close();
    // What an older version left: the same route and bookkeeping, without `?key=`.
    const clientsDir = join(dataDir, 'clients');
    for (const file of [configFile, ...readdirSync(clientsDir).filter((f) => f.endsWith('.json')).map((f) => join(clientsDir, f))]) {
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll(`?key=${key}`, ''));
    }
    const keyless = `http://127.0.0.1:${first.port}/mcp/docs`;
    expect(readFileSync(configFile, 'utf8')).toContain(`"${keyless}"`);

    const second = await startEngineHost({ ...options, port: first.port });
    cleanups.push(() => second.close());
    expect(second.port).toBe(first.port);
    expect(second.engine.routeKey).toBe(key);
    const docs = (JSON.parse(readFileSync(configFile, 'utf8')) as { mcpServers: Record<string, { url: string }> }).mcpServers.docs!;
    expect(docs.url).toBe(routeUrl(first.port, key, 'docs'));
    expect(second.staleRoutes.entries).toContainEqual(expect.objectContaining({ name: 'docs', outcome: 'repointed', route: { from: keyless, to: shown(docs.url) } }));
    await second.service.unprotect({ client: 'claude-code' });
    expect(readFileSync(configFile, 'utf8')).toBe(original);
  });

  it('writes nothing when none of our routes is stale: a look-alike is reported, never rewritten', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcpfw-host-'));
    const userHome = makeHome();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), () => removeHome(userHome));
    const configFile = join(userHome, '.claude.json');
    writeFileSync(configFile, claudeJson(1));
    const host = await startEngineHost({
      dataDir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), rendererDir: join(dataDir, 'none'), port: 0,
      clients: { env: { HOME: userHome }, platform: 'linux', projectDirs: [], runtimePath: process.execPath, cliPath: '/nonexistent/cli.js' },
    });
    cleanups.push(() => host.close());
    // The unrouted entry is not protected either: the start only moves routes.
    expect(host.staleRoutes).toMatchObject({ backups: [], errors: [], entries: [expect.objectContaining({ name: 'lookalike', outcome: 'remote-not-routed' })] });
    expect(readFileSync(configFile, 'utf8')).toBe(claudeJson(1));
  });
});
