import { mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectEngine } from '../../../main/firewall/proxy/engine-link.js';

// A disk that fills up: write(2) takes what fits and says how much, then fails with ENOSPC.
const disk = vi.hoisted(() => ({ room: Infinity, perCall: Infinity, writes: [] as string[] }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const writeSync = (fd: number, data: string | Uint8Array, offset?: number) => {
    disk.writes.push(typeof data);
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength).subarray(offset ?? 0);
    if (disk.room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const written = real.writeSync(fd, bytes, 0, Math.min(bytes.length, disk.room, disk.perCall));
    disk.room -= written;
    return written;
  };
  return { ...real, writeSync, default: { ...real, writeSync } };
});

const cleanups: Array<() => void> = [];
afterEach(() => {
  cleanups.splice(0).forEach((c) => c());
  disk.room = Infinity;
  disk.perCall = Infinity;
  disk.writes = [];
});

async function admittedLink() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-link-'));
  const spool = join(dir, 'spool.ndjson');
  const server = createServer((socket) => {
    socket.once('data', () => socket.write(`${JSON.stringify({ t: 'welcome', snapshot: { version: 1, policy: {}, emergencyWriteApproval: false, pausedUntil: null }, env: {}, spool })}\n`));
  });
  server.listen(join(dir, 'engine.sock'));
  const link = await connectEngine(join(dir, 'engine.sock'));
  cleanups.push(() => {
    link.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await link.hello({ server: 'srv', client: 'test', command: 'node', args: [], sessionId: 'sess-1', pid: 1 });
  return { link, lines: () => fs.readFileSync(spool, 'utf8').split('\n') };
}

describe("the shim's audit spool write on a disk that fills up", () => {
  it('reports a decision row the disk took only part of as failed, not as written', async () => {
    const { link } = await admittedLink();
    disk.room = 40;
    const failures: Error[] = [];
    link.record({ event: 'call', decision: 'ALLOW', toolName: 'read_text', reason: 'no rule matched' }, (error) => failures.push(error));
    await new Promise((r) => process.nextTick(r));
    expect(failures.map((e) => e.message)).toEqual([expect.stringMatching(/audit write failed: ENOSPC/)]);
  });

  it('starts the next row on a line of its own after a torn write, so it folds intact', async () => {
    const { link, lines } = await admittedLink();
    disk.room = 40;
    expect(() => {
      link.event({ event: 'protocol', decision: 'ERROR', reason: 'lost to the full disk' });
      link.flush();
    }).toThrow(/ENOSPC/);
    disk.room = Infinity;
    link.event({ event: 'protocol', decision: 'ERROR', reason: 'after space came back' });
    link.flush();
    const [fragment, row] = lines();
    expect(fragment).toHaveLength(40);
    expect(JSON.parse(row!)).toMatchObject({ reason: 'after space came back' });
  });

  it('hands a write the disk takes whole to writeSync as the string, with no Buffer copy', async () => {
    const { link, lines } = await admittedLink();
    disk.writes = [];
    link.record({ event: 'call', decision: 'ALLOW', toolName: 'read_text', reason: 'no rule matched' }, () => {});
    link.event({ event: 'protocol', decision: 'ERROR', reason: 'ride along' });
    link.flush();
    expect(disk.writes).toEqual(['string']);
    expect(lines().filter(Boolean).map((l) => JSON.parse(l).reason)).toEqual(['ride along', 'no rule matched']);
  });

  it('writes the rest of a short write from where the disk stopped, nothing twice', async () => {
    const { link, lines } = await admittedLink();
    disk.writes = [];
    disk.perCall = 40; // a write(2) that takes 40 bytes at a time, without an error
    const failures: Error[] = [];
    link.record({ event: 'call', decision: 'ALLOW', toolName: 'read_text', reason: 'no rule matched' }, (error) => failures.push(error));
    link.flush();
    expect(failures).toEqual([]);
    expect(disk.writes[0]).toBe('string');
    expect(disk.writes.length).toBeGreaterThan(2);
    expect(lines().filter(Boolean).map((l) => JSON.parse(l).reason)).toEqual(['no rule matched']);
  });
});
