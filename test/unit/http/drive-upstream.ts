import type { UpstreamProcess } from '../../../main/firewall/http/upstream-parts.js';

/** Writes lines to the adapter and collects what it answers (and, apart, any line that is not JSON). */
export function drive(upstream: UpstreamProcess) {
  const lines: Array<Record<string, unknown>> = [];
  const unparsed: string[] = [];
  let buffered = '';
  upstream.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        unparsed.push(part);
      }
    }
  });
  const answer = async (id: number | string) => {
    for (let i = 0; i < 400 && !lines.some((l) => l.id === id); i++) await new Promise((r) => setTimeout(r, 25));
    return lines.find((l) => l.id === id);
  };
  const send = (message: unknown) => upstream.stdin.write(`${JSON.stringify(message)}\n`);
  return { send, answer, unparsed, lines };
}
