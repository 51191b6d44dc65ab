import { buildSync } from 'esbuild';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { interposerUrl, routedTarget } from '../../../main/firewall/clients/route-url.js';
import { loadRouteKey, routeKeyFile } from '../../../main/firewall/route-key.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-route-key-'));
  dirs.push(dir);
  return dir;
};
const mode = (file: string) => statSync(file).mode & 0o777;

describe("this install's route key", () => {
  it('is created once, 0600, 256 bits, and read back the same by every later caller', () => {
    const dir = dataDir();
    const key = loadRouteKey(dir);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mode(routeKeyFile(dir))).toBe(0o600);
    expect(loadRouteKey(dir)).toBe(key);
    expect(loadRouteKey(dataDir())).not.toBe(key);
  });

  it('narrows a file another tool widened, and replaces one that holds no key (every route is then re-pointed at start)', () => {
    const dir = dataDir();
    const key = loadRouteKey(dir);
    chmodSync(routeKeyFile(dir), 0o644);
    expect(loadRouteKey(dir)).toBe(key);
    expect(mode(routeKeyFile(dir))).toBe(0o600);
    for (const junk of ['', 'short', `${key}x`]) {
      writeFileSync(routeKeyFile(dir), junk, { mode: 0o644 });
      const fresh = loadRouteKey(dir);
      expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(fresh).not.toBe(key);
      expect(readFileSync(routeKeyFile(dir), 'utf8')).toBe(`${fresh}\n`);
      expect(mode(routeKeyFile(dir))).toBe(0o600);
    }
  });

  it('is one key for processes that create it at the same moment (none reads the file half made)', async () => {
    // The module as plain JS, for threads that start loading it on one signal.
    const bundle = join(dataDir(), 'route-key.mjs');
    buildSync({ entryPoints: [join(import.meta.dirname, '../../../main/firewall/route-key.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' });
    const thread = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.bundle).then((m) => {
        const gate = new Int32Array(workerData.gate);
        Atomics.add(gate, 1, 1);
        Atomics.wait(gate, 0, 0);
        parentPort.postMessage(m.loadRouteKey(workerData.dir));
      });`;
    const THREADS = 6;
    for (let round = 0; round < 20; round++) {
      const dir = dataDir();
      const gate = new Int32Array(new SharedArrayBuffer(8));
      const keys = Array.from({ length: THREADS }, () => new Promise<string>((resolve, reject) => {
        const worker = new Worker(thread, { eval: true, workerData: { bundle, dir, gate: gate.buffer } });
        worker.once('message', (key: string) => void worker.terminate().then(() => resolve(key)));
        worker.once('error', reject);
      }));
      while (Atomics.load(gate, 1) < THREADS) await new Promise((resolve) => setTimeout(resolve, 1));
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      const seen = await Promise.all(keys);
      expect(new Set(seen).size, `round ${round}`).toBe(1);
      expect(readFileSync(routeKeyFile(dir), 'utf8')).toBe(`${seen[0]}\n`);
      expect(readdirSync(dir)).toEqual(['route-key']); // no staging file left behind
    }
  }, 120_000); // heavy, not timed: 120 threads load the module; 18-19 s on a busy two-core box

  it('travels in the query of every route URL and is read back from it', () => {
    const key = 'k_-'.repeat(14) + 'z';
    expect(interposerUrl(7337, 'my server', key)).toBe(`http://127.0.0.1:7337/mcp/my%20server?key=${key}`);
    expect(interposerUrl(7337, 'docs', key, 'sse')).toBe(`http://127.0.0.1:7337/mcp/docs/sse?key=${key}`);
    expect(routedTarget(interposerUrl(7337, 'my server', key, 'sse'))).toEqual({ port: 7337, name: 'my server', key });
    expect(routedTarget('http://127.0.0.1:7337/mcp/docs')).toEqual({ port: 7337, name: 'docs', key: null });
    expect(routedTarget('https://example.com/mcp/docs?key=x')).toBeUndefined();
  });
});
