import { spawn } from 'node:child_process';
import { CLI } from './paths.js';

/**
 * The built CLI in its own process, as a user runs it (its stdout is not a terminal: no
 * browser is opened), for commands that wait on something else (`auth login` waits for the
 * browser the test plays): its exit and everything it printed so far.
 */
export function cliAsync(env: NodeJS.ProcessEnv, args: string[]): { exited: Promise<number>; output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  return { exited, output: () => output };
}
