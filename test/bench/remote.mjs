// The HTTP interposer's cost: server-everything in its Streamable HTTP mode, called direct
// and through `serve`'s /mcp/NAME, same workload, interleaved. Used by run.mjs.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const CALLS = Number(process.env.BENCH_REMOTE_CALLS ?? 1000);

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** server-everything's Streamable HTTP server on a free port; resolves once it listens. */
export async function startRemoteEverything(server) {
  const port = await freePort();
  const child = spawn(process.execPath, [server, 'streamableHttp'], { env: { PATH: process.env.PATH, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((resolve, reject) => {
    let seen = '';
    const check = (chunk) => {
      seen += chunk;
      if (/listening on port/.test(seen)) resolve();
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', () => reject(new Error(`server-everything (HTTP) exited: ${seen}`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, stop: () => child.kill('SIGKILL') };
}

/** The JSON-RPC answer in a POST's body, whether the server answered as JSON or as SSE. */
async function answerOf(response) {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return JSON.parse(text);
  const data = text.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)));
  return data.find((m) => m.id !== undefined);
}

/** One MCP session over raw fetch: p50/p99 of sequential `tools/call echo`. */
export async function measureRemote(label, url) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  let id = 0;
  const post = async (body) => {
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    if (!response.ok && response.status !== 202) throw new Error(`${label}: HTTP ${response.status} ${await response.text()}`);
    return response;
  };
  const init = await post({ jsonrpc: '2.0', id: ++id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
  headers['mcp-session-id'] = init.headers.get('mcp-session-id');
  headers['mcp-protocol-version'] = (await answerOf(init)).result.protocolVersion;
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).text();
  const call = async () => {
    const answer = await answerOf(await post({ jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name: 'echo', arguments: { message: 'benchmark payload of a typical size' } } }));
    if (!answer?.result) throw new Error(`${label}: ${JSON.stringify(answer)}`);
  };
  for (let i = 0; i < 100; i++) await call();
  const samples = new Float64Array(CALLS);
  for (let i = 0; i < CALLS; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  await fetch(url, { method: 'DELETE', headers }).then((r) => r.text(), () => {});
  samples.sort();
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { label, p50: samples[Math.floor(CALLS / 2)], p99: samples[Math.floor(CALLS * 0.99)], perSec: 1e6 / mean };
}
