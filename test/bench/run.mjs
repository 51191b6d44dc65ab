#!/usr/bin/env node
// npm run bench: the same tools/call workload against server-everything direct, through a
// bare byte relay, and through the firewall (wrap + serve), in one run. Prints p50/p99
// latency, calls/s, cold start and shim RSS, and the ratios between the three.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureRemote, startRemoteEverything } from './remote.mjs';
import { cpuNs, rpcPeer } from './rpc-peer.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const SERVER = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
const RELAY = join(ROOT, 'test', 'bench', 'byte-relay.mjs');
const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PIPELINE = 16;
const LARGE_CALLS = Number(process.env.BENCH_LARGE_CALLS ?? 1000);

// A 10 KB result with nothing to find, as a log-reading tool returns: server-everything's
// get-env prints its environment, so the server is given a small, known one. It measures
// what a clean result of realistic size costs on top of the relay (the output stage).
const LARGE_PAYLOAD = Array.from({ length: 110 }, (_, i) => {
  const t = `2026-11-24T10:${String(10 + (i % 50)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String((i * 37) % 1000).padStart(3, '0')}Z`;
  return `${t} INFO  GET /api/v1/items/${1000 + i} status=200 duration_ms=${(i * 7) % 300} user=u${i % 9}`;
}).join('\n');

function rpcProcess(command, args, env) {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
  return { child, request: rpcPeer(child), started };
}

async function measure(label, command, args, env, enginePid) {
  const rpc = rpcProcess(command, args, env);
  await rpc.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  const coldStartMs = Number(process.hrtime.bigint() - rpc.started) / 1e6;
  rpc.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  await rpc.request('tools/list', {});
  const call = () => rpc.request('tools/call', { name: 'echo', arguments: { message: 'benchmark payload of a typical size' } });
  for (let i = 0; i < WARMUP; i++) await call();
  const samples = new Float64Array(CALLS);
  const cpuBefore = [cpuNs(rpc.child.pid), cpuNs(enginePid)];
  for (let i = 0; i < CALLS; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const cpuUsPerCall = (cpuNs(rpc.child.pid) - cpuBefore[0]) / CALLS / 1000;
  const engineCpuUsPerCall = (cpuNs(enginePid) - cpuBefore[1]) / CALLS / 1000;
  // Throughput with 16 calls in flight, as an agent fanning out would. Where its CPU goes,
  // per call and per process, says what bounds it: on two cores, the sum of them all.
  const serverPid = command === process.execPath && args[0] === SERVER ? rpc.child.pid : childPid(rpc.child.pid);
  const interposerPid = serverPid === rpc.child.pid ? undefined : rpc.child.pid;
  const pipelinedPids = { client: process.pid, interposer: interposerPid, server: serverPid, engine: enginePid };
  const pipelinedBefore = Object.fromEntries(Object.entries(pipelinedPids).map(([k, pid]) => [k, cpuNs(pid)]));
  const t0 = process.hrtime.bigint();
  let done = 0;
  await Promise.all(Array.from({ length: PIPELINE }, async () => {
    while (done < CALLS) {
      done++;
      await call();
    }
  }));
  const pipelinedPerSec = CALLS / (Number(process.hrtime.bigint() - t0) / 1e9);
  const pipelinedCpu = Object.fromEntries(Object.entries(pipelinedPids).map(([k, pid]) => [k, pid === undefined ? 0 : (cpuNs(pid) - pipelinedBefore[k]) / CALLS / 1000]));
  const large = new Float64Array(LARGE_CALLS);
  for (let i = 0; i < LARGE_CALLS; i++) {
    const t1 = process.hrtime.bigint();
    const result = await rpc.request('tools/call', { name: 'get-env', arguments: {} });
    large[i] = Number(process.hrtime.bigint() - t1) / 1000;
    if (i === 0 && !result.content[0].text.includes(LARGE_PAYLOAD.slice(-40))) throw new Error(`${label}: get-env did not return the payload`);
  }
  large.sort();
  const { rssKb, privateKb } = readMemoryKb(rpc.child.pid);
  rpc.child.stdin.end();
  await new Promise((r) => rpc.child.once('exit', r));
  samples.sort();
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { label, cpuUsPerCall, engineCpuUsPerCall, pipelinedCpu, p50: pct(0.5), p99: pct(0.99), sequentialPerSec: 1e6 / mean, pipelinedPerSec, coldStartMs, rssKb, privateKb, largeP50: large[Math.floor(LARGE_CALLS / 2)] };
}

/** The first child of a process (the server an interposer spawned), from /proc. */
function childPid(pid) {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

// RSS counts the pages of the node binary a process has touched, which every node process
// on the machine shares; RssAnon is what this process alone holds (heap, stacks, JIT code).
function readMemoryKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { rssKb: field('VmRSS'), privateKb: field('RssAnon') };
  } catch {
    return { rssKb: NaN, privateKb: NaN };
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
  return engine;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const home = mkdtempSync(join(tmpdir(), 'mcpfw-bench-'));
const engine = await startEngine(home);
// Only what the processes need, so get-env's answer is the same 10 KB everywhere (and
// nothing from the caller's environment, a token say, changes what the output stage does).
// PATH too is fixed: under `npm run`, npm's own entries (@npmcli/run-script/…) trip the
// output stage's prefilter, and the "clean" answer read ~60 µs slower than under plain node.
const serverEnv = { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: process.env.HOME, MCP_FIREWALL_HOME: home, BENCH_PAYLOAD: LARGE_PAYLOAD };
const modes = [
  ['direct', process.execPath, [SERVER]],
  ['byte relay', process.execPath, [RELAY, process.execPath, SERVER]],
  ['firewall', process.execPath, [CLI, 'wrap', '--server', 'everything', '--client', 'bench', '--', process.execPath, SERVER]],
];
const results = Object.fromEntries(modes.map(([label]) => [label, []]));
const remoteResults = { 'remote direct': [], 'remote firewall': [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved rounds, so drift in machine load hits every mode alike.
    for (const [label, command, args] of modes) results[label].push(await measure(label, command, args, serverEnv, label === 'firewall' ? engine.pid : undefined));
  }
  // Remote (Streamable HTTP) servers: direct, and through the interposer at /mcp/NAME.
  const remote = await startRemoteEverything(SERVER);
  try {
    const { port } = JSON.parse(readFileSync(join(home, 'control.json'), 'utf8'));
    const key = readFileSync(join(home, 'route-key'), 'utf8').trim();
    await new Promise((r) => spawn(process.execPath, [CLI, 'registry', 'approve', 'remote', '--url', remote.url], { env: { ...process.env, MCP_FIREWALL_HOME: home }, stdio: 'ignore' }).once('exit', r));
    for (let round = 0; round < ROUNDS; round++) {
      remoteResults['remote direct'].push(await measureRemote('remote direct', remote.url));
      remoteResults['remote firewall'].push(await measureRemote('remote firewall', `http://127.0.0.1:${port}/mcp/remote?key=${key}`));
    }
  } finally {
    remote.stop();
  }
} finally {
  engine.kill('SIGTERM');
  await new Promise((r) => engine.once('exit', r));
  rmSync(home, { recursive: true, force: true });
}

const summary = Object.fromEntries(
  Object.entries(results).map(([label, runs]) => [
    label,
    {
      ...Object.fromEntries(['p50', 'p99', 'sequentialPerSec', 'pipelinedPerSec', 'coldStartMs', 'rssKb', 'privateKb', 'largeP50', 'cpuUsPerCall', 'engineCpuUsPerCall'].map((k) => [k, median(runs.map((r) => r[k]))])),
      pipelinedCpu: Object.fromEntries(Object.keys(runs[0].pipelinedCpu).map((k) => [k, median(runs.map((r) => r.pipelinedCpu[k]))])),
    },
  ]),
);
const fmt = (n, d = 0) => n.toFixed(d).padStart(9);
console.log(`\ntools/call echo, ${CALLS} sequential calls + ${CALLS} with ${PIPELINE} in flight, median of ${ROUNDS} interleaved rounds (node ${process.version})\n`);
console.log('mode          p50 µs    p99 µs   calls/s  calls/s@16  cold ms   RSS MB  private MB  10KB p50 µs');
for (const [label, s] of Object.entries(summary)) {
  console.log(`${label.padEnd(11)}${fmt(s.p50)} ${fmt(s.p99)} ${fmt(s.sequentialPerSec)} ${fmt(s.pipelinedPerSec)}  ${fmt(s.coldStartMs, 1)} ${fmt(s.rssKb / 1024, 1)}   ${fmt(s.privateKb / 1024, 1)}    ${fmt(s.largeP50)}`);
}
const d = summary.direct;
const r = summary['byte relay'];
const f = summary.firewall;
console.log('\nratios');
console.log(`  relay / direct      p50 ${(r.p50 / d.p50).toFixed(2)}x  p99 ${(r.p99 / d.p99).toFixed(2)}x  throughput ${(r.sequentialPerSec / d.sequentialPerSec).toFixed(2)}x  @16 ${(r.pipelinedPerSec / d.pipelinedPerSec).toFixed(2)}x`);
console.log(`  firewall / relay    p50 ${(f.p50 / r.p50).toFixed(2)}x  p99 ${(f.p99 / r.p99).toFixed(2)}x  throughput ${(f.sequentialPerSec / r.sequentialPerSec).toFixed(2)}x  @16 ${(f.pipelinedPerSec / r.pipelinedPerSec).toFixed(2)}x`);
console.log(`  firewall / direct   p50 ${(f.p50 / d.p50).toFixed(2)}x  p99 ${(f.p99 / d.p99).toFixed(2)}x  throughput ${(f.sequentialPerSec / d.sequentialPerSec).toFixed(2)}x  @16 ${(f.pipelinedPerSec / d.pipelinedPerSec).toFixed(2)}x`);
console.log('\nadded by the firewall over the bare relay');
console.log(`  p50 +${(f.p50 - r.p50).toFixed(0)} µs   p99 +${(f.p99 - r.p99).toFixed(0)} µs   cold start +${(f.coldStartMs - d.coldStartMs).toFixed(1)} ms over direct   shim RSS ${(f.rssKb / 1024).toFixed(1)} MB (relay ${(r.rssKb / 1024).toFixed(1)}; private ${(f.privateKb / 1024).toFixed(1)} MB, relay ${(r.privateKb / 1024).toFixed(1)})`);
console.log(`  CPU per sequential call: shim ${f.cpuUsPerCall.toFixed(0)} µs (bare relay ${r.cpuUsPerCall.toFixed(0)} µs, so +${(f.cpuUsPerCall - r.cpuUsPerCall).toFixed(0)} µs), engine ${f.engineCpuUsPerCall.toFixed(0)} µs`);
console.log(`  a clean 10 KB result: p50 +${(f.largeP50 - r.largeP50).toFixed(0)} µs (echo: +${(f.p50 - r.p50).toFixed(0)} µs, so ~${(f.largeP50 - r.largeP50 - (f.p50 - r.p50)).toFixed(0)} µs for the 10 KB)`);
console.log('\nCPU per call with 16 in flight, µs (all processes share the two cores; the total bounds calls/s)');
for (const [label, s] of Object.entries(summary)) {
  const c = s.pipelinedCpu;
  const total = c.client + c.interposer + c.server + c.engine;
  console.log(`  ${label.padEnd(11)} client ${c.client.toFixed(1)}  interposer ${c.interposer.toFixed(1)}  server ${c.server.toFixed(1)}  engine ${c.engine.toFixed(1)}  total ${total.toFixed(1)}`);
}

const remoteSummary = Object.fromEntries(
  Object.entries(remoteResults).map(([label, runs]) => [label, Object.fromEntries(['p50', 'p99', 'perSec'].map((k) => [k, median(runs.map((r) => r[k]))]))]),
);
const rd = remoteSummary['remote direct'];
const rf = remoteSummary['remote firewall'];
console.log('\nremote server (Streamable HTTP), sequential tools/call echo over fetch');
console.log('mode             p50 µs    p99 µs   calls/s');
for (const [label, s] of Object.entries(remoteSummary)) console.log(`${label.padEnd(15)}${fmt(s.p50)} ${fmt(s.p99)} ${fmt(s.perSec)}`);
console.log(`  interposer / direct   p50 ${(rf.p50 / rd.p50).toFixed(2)}x (+${(rf.p50 - rd.p50).toFixed(0)} µs)  p99 ${(rf.p99 / rd.p99).toFixed(2)}x  throughput ${(rf.perSec / rd.perSec).toFixed(2)}x`);
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ summary, results, remoteSummary, remoteResults }, null, 2));
