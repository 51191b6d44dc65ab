import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shimNodeFlags } from '../../main/cli/shim-node-flags.js';
import { writeShimLauncher } from '../../main/desktop/shim-launcher.js';
import { useEngine, waitFor } from '../helpers/engine-harness.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');

describe('the shim process', () => {
  const engine = useEngine({ policy: 'version: v1\nrules: []\n', approve: ['faulty'] });

  it.runIf(existsSync('/proc/self/cmdline') && typeof process.execve === 'function')('runs with its node flags under the pid its client started, and relays as before', async () => {
    const shim = rawShim(engine(), 'faulty', [process.execPath, FAULTY], { FIXTURE_MARK: 'passed through' });
    try {
      shim.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      shim.send('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"read_env_digest","arguments":{"name":"FIXTURE_MARK"}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":2')), 'the call answered');
      const commandLine = readFileSync(`/proc/${shim.child.pid}/cmdline`, 'utf8').split('\0');
      expect(shimNodeFlags(process.versions.v8)).toContain('--invocation-count-for-turbofan=500');
      for (const flag of shimNodeFlags(process.versions.v8)) expect(commandLine).toContain(flag);
      expect(commandLine.slice(commandLine.indexOf('wrap'))).toEqual(['wrap', '--server', 'faulty', '--', process.execPath, FAULTY, '']);
      const answer = JSON.parse(shim.lines.find((l) => l.includes('"id":2'))!) as { result: { content: Array<{ text: string }> } };
      // The server got the client's environment through the restart, and nothing of the restart's own.
      expect(answer.result.content[0]!.text).toBe(createHash('sha256').update('passed through').digest('hex'));
      for (const [id, name] of [[3, 'MCP_FIREWALL_SHIM_RELAUNCHED'], [4, 'MALLOC_ARENA_MAX']] as const) {
        shim.send(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"read_env_digest","arguments":{"name":"${name}"}}}`);
        await waitFor(() => shim.lines.some((l) => l.includes(`"id":${id}`)), `call ${id} answered`);
        expect(shim.lines.find((l) => l.includes(`"id":${id}`)), name).toContain('"text":"unset"');
      }
      // The shim itself runs with the arena limit (glibc read it at start).
      expect(readFileSync(`/proc/${shim.child.pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=1');
    } finally {
      shim.child.stdin!.end();
    }
  });

  it.runIf(process.platform !== 'win32')('gives the server the client\'s environment when the desktop app\'s launcher started the shim (no ELECTRON_RUN_AS_NODE it added)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-launcher-'));
    // The current node stands in for the app's Electron binary.
    const launcher = writeShimLauncher(dir, process.execPath);
    const shim = spawn(launcher, [CLI, 'wrap', '--server', 'faulty', '--', process.execPath, FAULTY], { env: { ...engine().env }, stdio: ['pipe', 'pipe', 'ignore'] });
    const lines: string[] = [];
    shim.stdout.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
    try {
      shim.stdin.write('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}\n');
      for (const [id, name] of [[2, 'ELECTRON_RUN_AS_NODE'], [3, 'MCP_FIREWALL_ADDED_RUN_AS_NODE']] as const) {
        shim.stdin.write(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"read_env_digest","arguments":{"name":"${name}"}}}\n`);
        await waitFor(() => lines.some((l) => l.includes(`"id":${id}`)), `call ${id} answered`);
        expect(lines.find((l) => l.includes(`"id":${id}`)), name).toContain('"text":"unset"');
      }
    } finally {
      shim.stdin.end();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads neither node:crypto nor the lazy parts of node:fs while it relays calls (~1.2 MB of RSS in every shim)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpfw-modules-'));
    const preload = join(dir, 'record-modules.mjs');
    // Runs in the shim and in the fixture server (NODE_OPTIONS reaches both): one file per pid.
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(dir)} + '/' + process.pid + '.json', JSON.stringify(process.moduleLoadList)));\nconst require = process.getBuiltinModule('node:module').createRequire(import.meta.url);\n`);
    const shim = rawShim(engine(), 'faulty', [process.execPath, FAULTY], { NODE_OPTIONS: `--import=${preload}` });
    try {
      shim.send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      shim.send('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"read_text","arguments":{"text":"a digest is taken of these arguments"}}}');
      await waitFor(() => shim.lines.some((l) => l.includes('"id":2')), 'the call answered');
    } finally {
      shim.child.stdin!.end();
    }
    await new Promise((resolve) => shim.child.once('exit', resolve));
    const loaded = JSON.parse(readFileSync(join(dir, `${shim.child.pid}.json`), 'utf8')) as string[];
    expect(loaded).toContain('NativeModule child_process');
    expect(loaded.filter((name) => /crypto|fs\/promises|readline/.test(name))).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
