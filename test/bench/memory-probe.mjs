#!/usr/bin/env node
// Where a shim's memory goes, and whether it grows with calls: the bench's workload (echo and
// the 10 KB get-env, sequential and 16 in flight) through `wrap`, with the shim's memory read
// from /proc after each checkpoint. MEMPROBE_SNAPSHOT=1 also writes a heap snapshot (SIGUSR2)
// at each checkpoint into MEMPROBE_DIR (a snapshot runs a full GC first, so read the /proc
// figures of a run without snapshots for RSS).
// Usage: node test/bench/memory-probe.mjs [checkpoints, default 1000,5000,20000]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuNs, rpcPeer } from './rpc-peer.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const SERVER = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const CHECKPOINTS = (process.argv[2] ?? '1000,5000,20000').split(',').map(Number);
const TRACE = process.env.MEMPROBE_TRACE_GC === '1';
const IDLE_S = Number(process.env.MEMPROBE_IDLE ?? 0);
const SNAPSHOT = process.env.MEMPROBE_SNAPSHOT === '1';
const OUT = process.env.MEMPROBE_DIR ?? mkdtempSync(join(tmpdir(), 'memprobe-'));
const PAYLOAD = Array.from({ length: 110 }, (_, i) => `2026-11-24T10:${String(10 + (i % 50)).padStart(2, '0')}:00.000Z INFO  GET /api/v1/items/${1000 + i} status=200 duration_ms=${(i * 7) % 300} user=u${i % 9}`).join('\n');

function rpcProcess(command, args, env, cwd) {
  const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  // --trace-gc prints to the shim's stdout, between the answers.
  const request = rpcPeer(child, (line) => {
    const gc = /(Scavenge|Mark-Compact)[^0-9]*[\d.]+ \([\d.]+\) -> ([\d.]+)/.exec(line);
    if (gc) {
      heapAfterGc = Number(gc[2]);
      if (gc[1] === 'Mark-Compact') markCompacts++;
    }
    if (TRACE && !gc?.[1].startsWith('Scavenge')) console.log(`   gc| ${line}`);
  });
  return { child, request };
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile'), hwm: field('VmHWM') };
}

// Anonymous memory by mapping, so the V8 heap, malloc and the rest can be told apart.
function anonByMapping(pid) {
  const text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const out = [];
  let head = null;
  for (const line of text.split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) head = { line, anon: 0, size: 0 };
    else if (head && line.startsWith('Anonymous:')) {
      head.anon = Number(line.split(/\s+/)[1]);
      if (head.anon > 0) out.push(head);
    } else if (head && line.startsWith('Size:')) head.size = Number(line.split(/\s+/)[1]);
  }
  return out;
}

// V8 takes its heap in 256 kB pages (the young generation in larger ones), its code in rwx
// pages; malloc's is [heap] and its big mmaps; thread stacks are 8 MB reservations.
function byKind(mappings) {
  const kinds = {};
  for (const m of mappings) {
    const [, , name = ''] = /^\S+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(m.line) ?? [];
    const perms = m.line.split(' ')[1];
    const kind = name.includes('/') ? 'binaries' : name === '[heap]' ? 'malloc-brk' : name === '[stack]' ? 'stack' : perms.includes('x') ? 'v8-code' : m.size === 256 ? 'v8-page' : m.size === 8192 ? 'thread-stacks' : m.size >= 1024 ? 'big-anon' : 'other-anon';
    kinds[kind] = (kinds[kind] ?? 0) + m.anon;
  }
  return kinds;
}

let row;
// From --trace-gc: the heap's size after the last GC, and how many full GCs ran.
let heapAfterGc = NaN;
let markCompacts = 0;
const home = mkdtempSync(join(tmpdir(), 'memprobe-home-'));
const policy = readFileSync(join(ROOT, 'resources', 'default-policy.yaml'), 'utf8').replace(/^rules:/m, 'guards:\n  max_chain_depth: 100000000\n  max_calls_per_minute: 100000000\n  max_identical_calls: 100000000\n\nrules:');
writeFileSync(join(home, 'policy.yaml'), policy);
const engineEnv = { ...process.env, MCP_FIREWALL_HOME: home };
const engine = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env: engineEnv, stdio: ['ignore', 'ignore', 'inherit'] });
while (!existsSync(join(home, 'control.json'))) await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => spawn(process.execPath, [CLI, 'registry', 'approve', 'everything'], { env: engineEnv, stdio: 'ignore' }).once('exit', r));

// MALLOC_* from the caller's environment reach the shim (glibc tuning experiments).
const mallocEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('MALLOC_')));
const serverEnv = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: process.env.HOME, MCP_FIREWALL_HOME: home, BENCH_PAYLOAD: PAYLOAD, ...mallocEnv };
const nodeArgs = [...(SNAPSHOT && !process.env.MEMPROBE_NODE_FLAGS?.includes('--import') ? ['--heapsnapshot-signal=SIGUSR2'] : []), ...(TRACE ? ['--trace-gc'] : []), ...(process.env.MEMPROBE_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])];
const rpc = rpcProcess(process.execPath, [...nodeArgs, CLI, 'wrap', '--server', 'everything', '--client', 'bench', '--', process.execPath, SERVER], serverEnv, OUT);
try {
  await rpc.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  rpc.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  await rpc.request('tools/list', {});
  const echo = () => rpc.request('tools/call', { name: 'echo', arguments: { message: 'benchmark payload of a typical size' } });
  const env = () => rpc.request('tools/call', { name: 'get-env', arguments: {} });
  let distinct = 0;
  const echoDistinct = () => rpc.request('tools/call', { name: 'echo', arguments: { message: `benchmark payload ${distinct++}` } });
  let done = 0;
  // One block of 100: 60 sequential echoes, 32 echoes 16 in flight, 8 get-env.
  // MEMPROBE_MIX: seq (100 sequential echoes), pipe (100 echoes 16 in flight), env (100 get-env),
  // distinct (100 sequential echoes, each of other arguments: what per-call state keeps).
  const MIX = process.env.MEMPROBE_MIX ?? 'all';
  const block = async () => {
    if (MIX === 'seq') for (let i = 0; i < 100; i++) await echo();
    else if (MIX === 'env') for (let i = 0; i < 100; i++) await env();
    else if (MIX === 'distinct') for (let i = 0; i < 100; i++) await echoDistinct();
    else if (MIX === 'pipe') await Promise.all(Array.from({ length: 20 }, () => echo().then(echo).then(echo).then(echo).then(echo)));
    else {
      for (let i = 0; i < 60; i++) await echo();
      await Promise.all(Array.from({ length: 16 }, () => echo().then(echo)));
      for (let i = 0; i < 8; i++) await env();
    }
    done += 100;
  };
  let lastHeap = NaN;
  let lastDone = 0;
  let lastCompacts = 0;
  row = (label, m) => console.log(`${label.padEnd(8)} RSS ${(m.rss / 1024).toFixed(1)} MB  anon ${(m.anon / 1024).toFixed(1)} MB  file ${(m.file / 1024).toFixed(1)} MB  peak ${(m.hwm / 1024).toFixed(1)} MB`);
  row('start', memory(rpc.child.pid));
  for (const target of CHECKPOINTS) {
    const [cpu0, wall0, done0] = [cpuNs(rpc.child.pid), process.hrtime.bigint(), done];
    while (done < target) await block();
    if (done > done0) console.log(`   shim CPU ${((cpuNs(rpc.child.pid) - cpu0) / (done - done0) / 1000).toFixed(1)} µs/call, ${((done - done0) / (Number(process.hrtime.bigint() - wall0) / 1e9)).toFixed(0)} calls/s`);
    await new Promise((r) => setTimeout(r, 200));
    row(String(done), memory(rpc.child.pid));
    if (TRACE) {
      // Old-space growth between scavenges is what survived into it: garbage until a full GC.
      if (markCompacts === lastCompacts) console.log(`   heap after last GC ${heapAfterGc} MB: +${(((heapAfterGc - lastHeap) * 1048576) / (done - lastDone)).toFixed(0)} B/call`);
      else console.log(`   heap after last GC ${heapAfterGc} MB (${markCompacts - lastCompacts} full GCs since)`);
      [lastHeap, lastDone, lastCompacts] = [heapAfterGc, done, markCompacts];
    }
    if (process.env.MEMPROBE_SMAPS === '1') console.log(`   ${Object.entries(byKind(anonByMapping(rpc.child.pid))).map(([k, v]) => `${k} ${(v / 1024).toFixed(2)}`).join('  ')} (MB)`);
    if (SNAPSHOT) {
      const before = new Set(readdirSync(OUT));
      rpc.child.kill('SIGUSR2');
      let file;
      while (!(file = readdirSync(OUT).find((f) => /\.(heapsnapshot|json)$/.test(f) && !before.has(f)))) await new Promise((r) => setTimeout(r, 100));
      let size = -1;
      while (size !== (size = readFileSync(join(OUT, file)).length) || size === 0) await new Promise((r) => setTimeout(r, 300));
      console.log(`   snapshot ${join(OUT, file)}`);
      row('  after', memory(rpc.child.pid));
    }
  }
  // A shim is idle most of its life: V8's memory reducer works then.
  for (let waited = 0; waited < IDLE_S; waited += 5) {
    await new Promise((r) => setTimeout(r, 5000));
    row(`idle ${waited + 5}s`, memory(rpc.child.pid));
  }
} finally {
  rpc.child.stdin.end();
  await new Promise((r) => rpc.child.once('exit', r));
  engine.kill('SIGTERM');
  await new Promise((r) => engine.once('exit', r));
  rmSync(home, { recursive: true, force: true });
}
