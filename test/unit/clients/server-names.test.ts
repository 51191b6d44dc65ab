import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWrapArgs } from '../../../main/cli/commands/wrap.js';
import { decodeWrapLaunch, protectClients, scanClients, type EditDeps } from '../../../main/firewall/clients/index.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';
import { editText, scanText } from '../../../main/firewall/clients/report-text.js';

// A server's name goes into the wrap line (`wrap --server NAME`) and into the route URL
// (`/mcp/NAME`): every name protect writes there must come back out as itself.
let fx: FixtureHome;
afterEach(() => fx?.cleanup());

const KEY = 'route-key-of-this-install_0123456789abcdefg';
const ODD = ['--', '-x', '--client', 'a b', 'v1.2', 'ünïcødé', 'wrap'];

describe('wrap reads its own flags positionally', () => {
  it('takes the value after --server and --client as it stands, whatever it looks like', () => {
    for (const name of ODD) {
      expect(parseWrapArgs(['--server', name, '--client', 'claude-code', '--', 'node', 'ok.js'])).toEqual({ server: name, client: 'claude-code', command: 'node', args: ['ok.js'] });
      expect(decodeWrapLaunch({ command: '/n', args: ['/c.js', 'wrap', '--server', name, '--', 'node', 'ok.js'] })).toMatchObject({ server: name, original: { command: 'node', args: ['ok.js'] } });
    }
    expect(parseWrapArgs(['--client', '--', '--server', 's', '--', 'x'])).toEqual({ server: 's', client: '--', command: 'x', args: [] });
  });
});

describe('protect and scan with odd server names', () => {
  function setup(): EditDeps {
    fx = createFixtureHome();
    return { ...fx.deps, remote: { port: 7337, key: KEY, standing: () => ({ kind: 'pending' }), propose: () => {} } };
  }
  const file = () => join(fx.home, '.cursor', 'mcp.json');

  it('prints a name or command that would drive the terminal (an escape sequence, a bidi override) escaped', async () => {
    const deps = setup();
    writeFileSync(file(), JSON.stringify({ mcpServers: { 'ok\u001b[2K\rprotected': { command: 'node', args: ['ok.js\u202e', 'x\n  protected  github  stdio  node ok.js\u2028'] } } }));
    const scanned = scanText(scanClients(deps, { client: 'cursor' }));
    expect(scanned).not.toMatch(/[\u001b\r\u202e\u2028]/);
    // One line per entry: a newline in an argument does not start a forged row.
    expect(scanned.split('\n').filter((line) => line.includes('github'))).toEqual([expect.stringContaining('\\u000a  protected  github')]);
    expect(scanned).toContain('ok\\u001b[2K\\u000dprotected');
    const protectedText = editText(await protectClients(deps, { client: 'cursor', dryRun: true }));
    expect(protectedText).not.toMatch(/[\u001b\r\u202e\u2028]/);
  });

  it('wraps a local server whatever its name, and scan reads the original launch back', async () => {
    const deps = setup();
    writeFileSync(file(), JSON.stringify({ mcpServers: Object.fromEntries(ODD.map((n) => [n, { command: 'node', args: ['ok.js'] }])) }));
    const report = await protectClients(deps, { client: 'cursor' });
    report.entries = report.entries.filter((e) => e.file === file());
    expect(report.entries.map((e) => `${e.name}:${e.outcome}`)).toEqual(ODD.map((n) => `${n}:protected`));
    const rows = scanClients(deps, { client: 'cursor' }).servers.filter((r) => r.file === file());
    expect(rows.map((r) => [r.name, r.status, r.command, r.args])).toEqual(ODD.map((n) => [n, 'protected', 'node', ['ok.js']]));
  });

  it('leaves a server whose name holds a control character, saying why; scan says so too', async () => {
    const deps = setup();
    const text = JSON.stringify({ mcpServers: { 'a\nprotected  b': { command: 'node', args: ['ok.js'] }, 'esc\u001b[2J': { type: 'http', url: 'https://x.example.com/mcp' } } });
    writeFileSync(file(), text);
    const report = await protectClients(deps, { client: 'cursor' });
    report.entries = report.entries.filter((e) => e.file === file());
    expect(report.entries.map((e) => e.outcome)).toEqual(['unsupported', 'unsupported']);
    for (const e of report.entries) expect(e.detail).toContain('control character');
    expect(readFileSync(file(), 'utf8')).toBe(text);
    const rows = scanClients(deps, { client: 'cursor' }).servers.filter((r) => r.file === file());
    expect(rows.map((r) => r.status)).toEqual(['shadow', 'shadow']);
    for (const r of rows) expect(r.note).toContain('control character');
  });

  it('routes no remote server whose name a /mcp/NAME route cannot carry, and routes the rest', async () => {
    const deps = setup();
    const bad = ['.', '..', 'a/b', 'x'.repeat(129)];
    const good = ['-x', 'v1.2', 'a b', 'ünï'];
    writeFileSync(file(), JSON.stringify({ mcpServers: Object.fromEntries([...bad, ...good].map((n) => [n, { type: 'http', url: 'https://x.example.com/mcp' }])) }));
    const report = await protectClients(deps, { client: 'cursor' });
    report.entries = report.entries.filter((e) => e.file === file());
    const outcome = (n: string) => report.entries.find((e) => e.name === n)!;
    for (const n of bad) expect(outcome(n)).toMatchObject({ outcome: 'unsupported', detail: expect.stringContaining('/mcp/NAME') });
    for (const n of good) expect(outcome(n).outcome).toBe('protected');
    const rows = scanClients(deps, { client: 'cursor' }).servers.filter((r) => r.file === file());
    for (const n of good) expect(rows.find((r) => r.name === n)!.status).toBe('protected');
    for (const n of bad) expect(rows.find((r) => r.name === n)).toMatchObject({ status: 'shadow', note: expect.stringContaining('/mcp/NAME') });
  });
});
