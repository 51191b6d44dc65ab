#!/usr/bin/env node
// npm run bench: the same tools/call workload against server-everything direct, through a
// bare byte relay, and through the firewall (wrap + serve), in one run. Prints p50/p99
// latency, calls/s, cold start and shim RSS, and the ratios between the three.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const SERVER = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const RELAY = join(ROOT, 'test', 'bench', 'byte-relay.mjs');
const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PIPELINE = 16;

function rpcProcess(command, args, env) {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map();
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const msg = JSON.parse(line);
      if (msg.id !== undefined && waiting.has(msg.id)) {
        waiting.get(msg.id)(msg);
        waiting.delete(msg.id);
      }
    }
  });
  let nextId = 1;
  const request = (method, params) =>
    new Promise((resolveCall, reject) => {
      const id = nextId++;
      waiting.set(id, (msg) => (msg.error ? reject(new Error(msg.error.message)) : resolveCall(msg.result)));
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  return { child, request, started };
}

async function measure(label, command, args, env) {
  const rpc = rpcProcess(command, args, env);
  await rpc.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  const coldStartMs = Number(process.hrtime.bigint() - rpc.started) / 1e6;
  rpc.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  await rpc.request('tools/list', {});
  const call = () => rpc.request('tools/call', { name: 'echo', arguments: { message: 'benchmark payload of a typical size' } });
  for (let i = 0; i < WARMUP; i++) await call();
  const samples = new Float64Array(CALLS);
  for (let i = 0; i < CALLS; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  // Throughput with 16 calls in flight, as an agent fanning out would.
  const t0 = process.hrtime.bigint();
  let done = 0;
  await Promise.all(Array.from({ length: PIPELINE }, async () => {
    while (done < CALLS) {
      done++;
      await call();
    }
  }));
  const pipelinedPerSec = CALLS / (Number(process.hrtime.bigint() - t0) / 1e9);
  const rssKb = readRssKb(rpc.child.pid);
  rpc.child.stdin.end();
  await new Promise((r) => rpc.child.once('exit', r));
  samples.sort();
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { label, p50: pct(0.5), p99: pct(0.99), sequentialPerSec: 1e6 / mean, pipelinedPerSec, coldStartMs, rssKb };
}

function readRssKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

async function startEngine(home) {
  // The shipped policy, with the session guards raised out of the way: thousands of
  // identical calls a second are exactly what they exist to stop. They still run.
  const policy = readFileSync(join(ROOT, 'resources', 'default-policy.yaml'), 'utf8').replace(
    /^rules:/m,
    'guards:\n  max_chain_depth: 100000000\n  max_calls_per_minute: 100000000\n  max_identical_calls: 100000000\n\nrules:',
  );
  writeFileSync(join(home, 'policy.yaml'), policy);
  const env = { ...process.env, MCP_FIREWALL_HOME: home };
  const engine = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  while (!existsSync(join(home, 'control.json'))) await new Promise((r) => setTimeout(r, 20));
  const approve = spawn(process.execPath, [CLI, 'registry', 'approve', 'everything'], { env, stdio: 'ignore' });
  await new Promise((r) => approve.once('exit', r));
  return { engine, env };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const home = mkdtempSync(join(tmpdir(), 'mcpfw-bench-'));
const { engine, env } = await startEngine(home);
const modes = [
  ['direct', process.execPath, [SERVER]],
  ['byte relay', process.execPath, [RELAY, process.execPath, SERVER]],
  ['firewall', process.execPath, [CLI, 'wrap', '--server', 'everything', '--client', 'bench', '--', process.execPath, SERVER]],
];
const results = Object.fromEntries(modes.map(([label]) => [label, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved rounds, so drift in machine load hits every mode alike.
    for (const [label, command, args] of modes) results[label].push(await measure(label, command, args, env));
  }
} finally {
  engine.kill('SIGTERM');
  await new Promise((r) => engine.once('exit', r));
  rmSync(home, { recursive: true, force: true });
}

const summary = Object.fromEntries(
  Object.entries(results).map(([label, runs]) => [
    label,
    Object.fromEntries(['p50', 'p99', 'sequentialPerSec', 'pipelinedPerSec', 'coldStartMs', 'rssKb'].map((k) => [k, median(runs.map((r) => r[k]))])),
  ]),
);
const fmt = (n, d = 0) => n.toFixed(d).padStart(9);
console.log(`\ntools/call echo, ${CALLS} sequential calls + ${CALLS} with ${PIPELINE} in flight, median of ${ROUNDS} interleaved rounds (node ${process.version})\n`);
console.log('mode          p50 µs    p99 µs   calls/s  calls/s@16  cold ms   RSS MB');
for (const [label, s] of Object.entries(summary)) {
  console.log(`${label.padEnd(11)}${fmt(s.p50)} ${fmt(s.p99)} ${fmt(s.sequentialPerSec)} ${fmt(s.pipelinedPerSec)}  ${fmt(s.coldStartMs, 1)} ${fmt(s.rssKb / 1024, 1)}`);
}
const d = summary.direct;
const r = summary['byte relay'];
const f = summary.firewall;
console.log('\nratios');
console.log(`  relay / direct      p50 ${(r.p50 / d.p50).toFixed(2)}x  p99 ${(r.p99 / d.p99).toFixed(2)}x  throughput ${(r.sequentialPerSec / d.sequentialPerSec).toFixed(2)}x  @16 ${(r.pipelinedPerSec / d.pipelinedPerSec).toFixed(2)}x`);
console.log(`  firewall / relay    p50 ${(f.p50 / r.p50).toFixed(2)}x  p99 ${(f.p99 / r.p99).toFixed(2)}x  throughput ${(f.sequentialPerSec / r.sequentialPerSec).toFixed(2)}x  @16 ${(f.pipelinedPerSec / r.pipelinedPerSec).toFixed(2)}x`);
console.log(`  firewall / direct   p50 ${(f.p50 / d.p50).toFixed(2)}x  p99 ${(f.p99 / d.p99).toFixed(2)}x  throughput ${(f.sequentialPerSec / d.sequentialPerSec).toFixed(2)}x  @16 ${(f.pipelinedPerSec / d.pipelinedPerSec).toFixed(2)}x`);
console.log('\nadded by the firewall over the bare relay');
console.log(`  p50 +${(f.p50 - r.p50).toFixed(0)} µs   p99 +${(f.p99 - r.p99).toFixed(0)} µs   cold start +${(f.coldStartMs - d.coldStartMs).toFixed(1)} ms over direct   shim RSS ${(f.rssKb / 1024).toFixed(1)} MB`);
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ summary, results }, null, 2));
