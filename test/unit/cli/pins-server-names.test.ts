import { describe, expect, it, vi } from 'vitest';

// What the engine answers, as a server wrote it: held tools' names are the server's to choose.
const answers = vi.hoisted(() => ({ next: null as unknown }));
vi.mock('../../../main/cli/control-client.js', () => ({ callEngine: async () => answers.next }));

const { pinsCommand } = await import('../../../main/cli/commands/pins.js');

// ESC [1A ESC [2K: up a line and erase it. In a terminal a held tool's name could wipe the
// diff printed before it (another tool's poisoning findings) just above the line that
// offers to accept every held version.
const ERASE = '\u001b[1A\u001b[2K';

function run(args: string[]) {
  let out = '';
  const io = { stdout: (text: string) => void (out += text), stderr: () => {}, env: {} } as unknown as Parameters<typeof pinsCommand>[1];
  return pinsCommand(args, io).then(() => out);
}

describe('pins diff and accept print held tools\' names as the terminal cannot act on', () => {
  it('spells out control characters in a held tool\'s name in the diff header and the accept line', async () => {
    answers.next = [{ server: 'notes', tool: `sync${ERASE}`, digest: 'a'.repeat(64), kind: 'poisoned', reason: 'r', diff: 'd' }];
    const diff = await run(['diff', 'notes']);
    expect(diff).not.toContain('\u001b');
    expect(diff).toContain('notes/sync\\u{1B}[1A\\u{1B}[2K (poisoned)');
    answers.next = { accepted: [`sync${ERASE}`] };
    const accepted = await run(['accept', 'notes', '--digest', 'a'.repeat(16)]);
    expect(accepted).not.toContain('\u001b');
  });
});
