// What the bench scripts share: requests to a spawned JSON-RPC peer over its stdio, answered
// by id, and a process's CPU time from /proc.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * `request(method, params)` to `child` (stdio piped), resolved with the answer's result;
 * a line that is no JSON object or batch (a `--trace-gc` line, say) goes to `onOther`.
 */
export function rpcPeer(child, onOther = () => {}) {
  const waiting = new Map();
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith('{') && !line.startsWith('[')) {
        onOther(line);
        continue;
      }
      const msg = JSON.parse(line);
      if (msg.id !== undefined && waiting.has(msg.id)) {
        waiting.get(msg.id)(msg);
        waiting.delete(msg.id);
      }
    }
  });
  let nextId = 1;
  return (method, params) =>
    new Promise((resolveCall, reject) => {
      const id = nextId++;
      waiting.set(id, (msg) => (msg.error ? reject(new Error(msg.error.message)) : resolveCall(msg.result)));
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
}

// CPU time (ns) a process has used, all threads: /proc/PID/task/*/schedstat's first field.
// Per call it is far steadier than latency, which the scheduler's noise swamps at tens of µs.
export function cpuNs(pid) {
  if (pid === undefined) return NaN;
  try {
    return readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]), 0);
  } catch {
    return NaN;
  }
}
