import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../main/cli/args.js';
import { argWord, shellWord } from '../../../main/firewall/shell-word.js';

// Suggested commands carry names from config files anyone can write; pasted into a shell,
// each name must stay one word and run nothing.
describe('names in suggested commands', () => {
  it('leaves plain names as they are', () => {
    for (const name of ['github', 'my-server', 'org/repo', 'a.b_c@1', 'x:y', '-single-dash']) expect(shellWord(name)).toBe(name);
  });

  it('quotes anything a shell reads specially, so it comes back as the one word it was', async () => {
    const { execFileSync } = await import('node:child_process');
    for (const name of ['x; touch /tmp/pwned', '$(id)', '`id`', "it's", 'a b', 'x|sh', 'x&&y', '*', 'new\nline', '~home', '!bang']) {
      const quoted = shellWord(name);
      expect(quoted).not.toBe(name);
      expect(execFileSync('sh', ['-c', `printf '%s' ${quoted}`], { encoding: 'utf8' })).toBe(name);
    }
  });

  it('puts -- before a name the CLI would read as an option, and the CLI reads it back as positional', () => {
    expect(argWord('--odd')).toBe('-- --odd');
    const parsed = parseArgs(['approve', '--', '--odd', 'x']);
    expect(parsed.positional).toEqual(['approve', '--odd', 'x']);
    expect(parsed.flags.size).toBe(0);
  });
});
