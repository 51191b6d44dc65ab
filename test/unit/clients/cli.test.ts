import { afterEach, describe, expect, it } from 'vitest';
import { UsageError, type CliIo } from '../../../main/cli/command.js';
import { createProtectCommand, createUnprotectCommand } from '../../../main/cli/commands/protect.js';
import { createScanCommand } from '../../../main/cli/commands/scan.js';
import { EXPECTED_SERVERS } from './expected-servers.js';
import { CLI, createFixtureHome, RUNTIME, type FixtureHome } from './fixture-home.js';

let fx: FixtureHome;
afterEach(() => fx.cleanup());

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { HOME: fx.home, MCP_FIREWALL_HOME: fx.dataDir },
    cwd: fx.project,
  };
}

const deps = () => ({ runtimePath: RUNTIME, cliPath: CLI, registry: { isRegistered: (n: string) => n === 'jetbrains' }, platform: 'linux' as const });

describe('scan / protect / unprotect commands', () => {
  it('refuses a flag without its value, a value on a switch, and a --project that is not a directory, before reading or writing anything', async () => {
    fx = createFixtureHome();
    const before = fx.files();
    const refusal = (args: string[]) => createProtectCommand(deps())(args, io()).then(() => null, (e: unknown) => e);
    for (const [args, message] of [
      [['--client'], '--client needs a value'],
      [['--project'], '--project needs a value'],
      [['--project', 'no-such-dir'], '--project no-such-dir: not a directory'],
      [['--json=1'], '--json takes no value'],
    ] as const) {
      const error = await refusal([...args]);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(message);
    }
    await expect(createScanCommand(deps())(['--project', 'no-such-dir'], io())).rejects.toThrow('--project no-such-dir: not a directory');
    expect([...fx.files().entries()].every(([file, bytes]) => before.get(file)?.equals(bytes))).toBe(true);
  });

  it('scan --json lists every server with its status, using cwd as the project', async () => {
    fx = createFixtureHome();
    const cli = io();
    expect(await createScanCommand(deps())(['--json'], cli)).toBe(0);
    const result = JSON.parse(cli.out.join(''));
    expect(result.servers).toHaveLength(EXPECTED_SERVERS.length);
    expect(result.servers.find((s: { name: string }) => s.name === 'jetbrains').status).toBe('registered');
  });

  it('scan prints a readable table with masked secrets and a summary line', async () => {
    fx = createFixtureHome();
    const cli = io();
    await createScanCommand(deps())([], cli);
    const text = cli.out.join('');
    expect(text).toContain('! plaintext secret in env GITHUB_PERSONAL_ACCESS_TOKEN: ghp_…(40 chars)');
    expect(text).not.toContain('ghp_FAKEfake');
    expect(text).toMatch(new RegExp(`^${EXPECTED_SERVERS.length} servers in \\d+ files: 0 protected, 1 registered, ${EXPECTED_SERVERS.length - 1} shadow`, 'm'));
  });

  it('protect --client --dry-run reports and writes nothing; protect then unprotect round-trips', async () => {
    fx = createFixtureHome();
    const before = fx.files();
    const dry = io();
    expect(await createProtectCommand(deps())(['--client', 'claude-desktop', '--dry-run'], dry)).toBe(0);
    expect(dry.out.join('')).toMatch(/would protect\s+claude-desktop {2}github/);
    expect(fx.files()).toEqual(before);

    const run = io();
    await createProtectCommand(deps())(['--client=codex-cli'], run);
    expect(run.out.join('')).toMatch(/remote: not routed\s+codex-cli {2}docs-search .*: remote: not yet routed/);
    expect(run.out.join('')).toMatch(/^backup: /m);
    expect(fx.files()).not.toEqual(before);
    await createUnprotectCommand(deps())([], io());
    expect(fx.files()).toEqual(before);
  });

  it('rejects unknown clients and options with a usage error', async () => {
    fx = createFixtureHome();
    await expect(createProtectCommand(deps())(['--client', 'notepad'], io())).rejects.toThrow(UsageError);
    await expect(createScanCommand(deps())(['--dry-run'], io())).rejects.toThrow(/unknown option --dry-run/);
  });
});
