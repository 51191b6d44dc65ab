import { describe, expect, it, vi } from 'vitest';
import { relaunchWithShimFlags, shimNodeFlags, shimRelaunchLine } from '../../../main/cli/shim-node-flags.js';

const execve = (() => {
  throw new Error('not in a test');
}) as (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;

function fakeProcess(overrides: Partial<Parameters<typeof shimRelaunchLine>[0]> = {}) {
  return {
    versions: { node: '22.23.3', v8: '12.4.254.21-node.33' } as NodeJS.ProcessVersions,
    execPath: '/usr/bin/node',
    execArgv: ['--no-warnings'],
    argv: ['/usr/bin/node', '/app/dist/cli.js', 'wrap', '--server', 'fs', '--', 'npx', 'server'],
    env: { HOME: '/home/u', TOKEN_FOR_SERVER: 'kept' },
    execve,
    ...overrides,
  };
}

const SHIM_NODE_FLAGS = shimNodeFlags('12.4.254.21-node.33');

describe('the shim restarts itself with its node flags', () => {
  it('tiers hot code up sooner only under a V8 known to take the flag (one it does not know stops node at start)', () => {
    expect(SHIM_NODE_FLAGS).toEqual(['--max-semi-space-size=1', '--invocation-count-for-turbofan=500']);
    expect(shimNodeFlags('14.1.146.11-node.14')).toContain('--invocation-count-for-turbofan=500');
    for (const unknown of ['15.0.1', '11.3.244.8', '']) expect(shimNodeFlags(unknown)).toEqual(['--max-semi-space-size=1']);
    expect(shimRelaunchLine(fakeProcess({ versions: { node: '30.0.0', v8: '16.2.1' } as NodeJS.ProcessVersions }))).toEqual(['/usr/bin/node', '--no-warnings', '--max-semi-space-size=1', '/app/dist/cli.js', 'wrap', '--server', 'fs', '--', 'npx', 'server']);
  });

  it('keeps the node options it was started with, adds the flags, and keeps the whole command line', () => {
    expect(shimRelaunchLine(fakeProcess())).toEqual(['/usr/bin/node', '--no-warnings', ...SHIM_NODE_FLAGS, '/app/dist/cli.js', 'wrap', '--server', 'fs', '--', 'npx', 'server']);
  });

  it('does not restart once it has them, without execve (Node < 22.15, Windows), on Electron, or under a debugger', () => {
    expect(shimRelaunchLine(fakeProcess({ execArgv: [...SHIM_NODE_FLAGS] }))).toBeNull();
    expect(shimRelaunchLine(fakeProcess({ execve: undefined }))).toBeNull();
    expect(shimRelaunchLine(fakeProcess({ versions: { node: '22.20.0', v8: '12.4.254.21-node.33', electron: '45.4.1' } as NodeJS.ProcessVersions }))).toBeNull();
    expect(shimRelaunchLine(fakeProcess({ execArgv: ['--inspect-brk=9229'] }))).toBeNull();
  });

  it('marks the restart in the environment, then takes the mark out, and runs on untuned when the node binary cannot be executed', () => {
    const calls: unknown[][] = [];
    const recording = ((...args: unknown[]) => void calls.push(args)) as unknown as typeof execve;
    const proc = fakeProcess({ execve: recording });
    relaunchWithShimFlags(proc, () => true);
    expect(calls).toEqual([['/usr/bin/node', shimRelaunchLine(proc), { ...proc.env, MALLOC_ARENA_MAX: '1', MCP_FIREWALL_SHIM_RELAUNCHED: 'MALLOC_ARENA_MAX' }]]);
    // The restarted shim: never a second restart, even if its execArgv lost a flag; what the restart added is gone.
    const restarted = fakeProcess({ execve: recording, execArgv: [], env: { HOME: '/home/u', MALLOC_ARENA_MAX: '1', MCP_FIREWALL_SHIM_RELAUNCHED: 'MALLOC_ARENA_MAX' } });
    relaunchWithShimFlags(restarted, () => true);
    expect(calls).toHaveLength(1);
    expect(restarted.env).toEqual({ HOME: '/home/u' });
    // A marker the client set itself takes out only what a restart adds, nothing named after Object's members.
    const hostile = fakeProcess({ env: { MCP_FIREWALL_SHIM_RELAUNCHED: 'constructor,toString,PATH', constructor: 'x', toString: 'y', PATH: '/bin' } });
    relaunchWithShimFlags(hostile, () => true);
    expect(hostile.env).toEqual({ constructor: 'x', toString: 'y', PATH: '/bin' });
    // A client's own MALLOC_ARENA_MAX is left as it set it, before and after the restart.
    const own = fakeProcess({ execve: recording, env: { MALLOC_ARENA_MAX: '4' } });
    relaunchWithShimFlags(own, () => true);
    expect(calls[1]![2]).toEqual({ MALLOC_ARENA_MAX: '4', MCP_FIREWALL_SHIM_RELAUNCHED: '' });
    const ownRestarted = fakeProcess({ env: { MALLOC_ARENA_MAX: '4', MCP_FIREWALL_SHIM_RELAUNCHED: '' } });
    relaunchWithShimFlags(ownRestarted, () => true);
    expect(ownRestarted.env).toEqual({ MALLOC_ARENA_MAX: '4' });
    const gone = vi.fn();
    relaunchWithShimFlags(fakeProcess({ execve: gone as unknown as typeof execve }), () => false);
    expect(gone).not.toHaveBeenCalled();
  });
});
