import { spawn, type ChildProcess } from 'node:child_process';
import type { RunningEngine } from './engine-harness.js';
import { CLI } from './paths.js';

export interface RawShim {
  child: ChildProcess;
  /** Every line the shim wrote to the client, in order. */
  lines: string[];
  send(text: string): void;
}

/** A bare JSON-RPC peer on the shim's stdio, for `server` launched as `command`: sends exact bytes, collects every line back. */
export function rawShim(engine: Pick<RunningEngine, 'env'>, server: string, command: string[], env: Record<string, string> = {}): RawShim {
  const child = spawn(process.execPath, [CLI, 'wrap', '--server', server, '--', ...command], { env: { ...engine.env, ...env }, stdio: ['pipe', 'pipe', 'ignore'] });
  const lines: string[] = [];
  let buffer = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
  return { child, lines, send: (text) => void child.stdin!.write(`${text}\n`) };
}
