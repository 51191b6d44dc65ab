import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEngineWithClientHome, stdioEntry, type EngineWithClientHome } from '../helpers/client-home.js';
import { waitFor } from '../helpers/engine-harness.js';
import { EVERYTHING_SERVER } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';

const withServers = (...entries: string[]) => `{\n  "globalShortcut": "Ctrl+Space",\n  "mcpServers": {\n    ${entries.join(',\n    ')}\n  }\n}\n`;

describe('the engine watches client configs for shadow servers', () => {
  let fixture: EngineWithClientHome;
  const shadowRows = () =>
    JSON.parse(fixture.engine.cli(['audit', 'query', "SELECT decision, server_name, client FROM mcp_audit WHERE rule_id = 'client-config-watch' ORDER BY id", '--json']).stdout) as Array<{ decision: string; server_name: string | null; client: string }>;
  beforeAll(async () => {
    fixture = await startEngineWithClientHome(withServers());
  });
  afterAll(() => fixture.stop());

  it('reports an entry an installer adds behind our back, and leaves it alone while auto-protect is off', async () => {
    writeFileSync(fixture.configFile, withServers(stdioEntry('sneaky', process.execPath, [EVERYTHING_SERVER])));
    await waitFor(() => shadowRows().some((r) => r.server_name === 'sneaky'), 'the shadow entry to be audited');
    expect(shadowRows()).toEqual([{ decision: 'SHADOW_ENTRY', server_name: 'sneaky', client: 'claude-desktop' }]);
    await waitFor(() => fixture.engine.stderr().includes("SHADOW SERVER: unprotected entry 'sneaky'"), 'the announcement');
    expect(readFileSync(fixture.configFile, 'utf8')).not.toContain('wrap');
  });

  it('routes a new entry through the firewall again when auto-protect is on', async () => {
    expect(fixture.engine.cli(['watch', 'auto-protect', 'on']).stdout).toContain('auto-protect: on');
    writeFileSync(fixture.configFile, withServers(stdioEntry('sneaky', process.execPath, [EVERYTHING_SERVER]), stdioEntry('another', process.execPath, [EVERYTHING_SERVER])));
    await waitFor(() => readFileSync(fixture.configFile, 'utf8').includes('"wrap"'), 'the config to be re-protected');
    const config = JSON.parse(readFileSync(fixture.configFile, 'utf8')) as { globalShortcut: string; mcpServers: Record<string, { args: string[] }> };
    expect(config.globalShortcut).toBe('Ctrl+Space');
    expect(config.mcpServers.another!.args).toContain('wrap');
    await waitFor(() => shadowRows().some((r) => r.decision === 'REPROTECTED'), 'the re-protect row');
  });

  it('routes the same name added to another client with another launch line, but only proposes that line: drift until a person approves', async () => {
    // 'another' is routed and approved from the test before; Cursor now gets an entry of that name running something else.
    mkdirSync(join(fixture.userHome, '.cursor'), { recursive: true });
    const cursor = join(fixture.userHome, '.cursor', 'mcp.json');
    writeFileSync(cursor, withServers(stdioEntry('another', process.execPath, [EVERYTHING_SERVER, 'stdio'])));
    await waitFor(() => readFileSync(cursor, 'utf8').includes('"wrap"'), 'the Cursor entry to be routed');
    const proposals = () => JSON.parse(fixture.engine.cli(['audit', 'query', "SELECT decision, actor_id FROM mcp_audit WHERE event = 'registry' AND server_name = 'another' AND decision = 'PROPOSED'", '--json']).stdout) as unknown[];
    await waitFor(() => proposals().length > 0, 'the proposal row');
    expect(proposals()).toEqual([{ decision: 'PROPOSED', actor_id: 'auto-protect' }]);
    const another = (JSON.parse(fixture.engine.cli(['registry', 'list', '--json']).stdout) as Array<{ name: string; fingerprint: { args: string[] }; moreLaunches: unknown[] }>).find((e) => e.name === 'another');
    expect(another).toMatchObject({ fingerprint: { args: [EVERYTHING_SERVER] }, moreLaunches: [] });
    await expect(connectThroughShim(fixture.engine, 'another', [process.execPath, EVERYTHING_SERVER, 'stdio'])).rejects.toThrow(/registry drift/);
    fixture.engine.cli(['registry', 'approve', 'another']);
    const approved = await connectThroughShim(fixture.engine, 'another', [process.execPath, EVERYTHING_SERVER, 'stdio']);
    await approved.client.ping();
    await approved.close();
  });

  it('warns that unprotect will be undone while auto-protect is on (the CLI and the dashboard alike)', async () => {
    // auto-protect is on since the test above; 'sneaky' and 'another' are routed.
    const cli = fixture.engine.cli(['unprotect', '--client', 'claude-desktop']);
    expect(cli.stdout).toMatch(/restored/);
    expect(cli.stderr).toContain('warning: auto-protect is on, so the running engine routes this entry through the firewall again within seconds; to keep it unprotected, turn it off first: mcp-firewall watch auto-protect off');
    await waitFor(() => readFileSync(fixture.configFile, 'utf8').includes('"wrap"'), 'the entries to be routed again');
    // The watch must have seen them protected before the dashboard unprotects them (else it still
    // counts them as unprotected, not new). Each look reads every config: one that reports an entry
    // added to Cursor's after this point has read Claude Desktop's routed one too.
    const cursor = join(fixture.userHome, '.cursor', 'mcp.json');
    const cursorConfig = JSON.parse(readFileSync(cursor, 'utf8')) as { mcpServers: Record<string, unknown> };
    cursorConfig.mcpServers.marker = { command: process.execPath, args: [EVERYTHING_SERVER] };
    writeFileSync(cursor, JSON.stringify(cursorConfig, null, 2));
    await waitFor(() => shadowRows().some((r) => r.server_name === 'marker'), 'a look after the entries were routed again');
    const viaDashboard = (await fixture.engine.api('POST', '/dashboard/unprotect', { client: 'claude-desktop' })).body as { entries: Array<{ outcome: string; detail?: string }> };
    expect(viaDashboard.entries.filter((e) => e.outcome === 'restored').every((e) => e.detail?.includes('auto-protect is on'))).toBe(true);
    expect(viaDashboard.entries.some((e) => e.outcome === 'restored')).toBe(true);
  });

  it('routes a remote entry added behind our back too, not only local ones', async () => {
    const claudeCode = join(fixture.userHome, '.claude.json');
    writeFileSync(claudeCode, '{\n  "mcpServers": {\n    "hosted": { "type": "http", "url": "https://mcp.example.com/mcp" }\n  }\n}\n');
    await waitFor(() => shadowRows().some((r) => r.server_name === 'hosted'), 'the remote shadow entry to be audited');
    await waitFor(() => readFileSync(claudeCode, 'utf8').includes('/mcp/hosted'), 'the remote entry to be routed');
    const routed = (JSON.parse(readFileSync(claudeCode, 'utf8')) as { mcpServers: { hosted: { url: string } } }).mcpServers.hosted;
    expect(routed.url).toBe(fixture.engine.route('hosted'));
  });
});
