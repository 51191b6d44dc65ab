import { createHash } from 'node:crypto';
import type { Launch } from './types.js';
import { readWrapArgs } from './wrap-args.js';

/**
 * The launch a protected entry gets. The runtime is an absolute path because GUI clients
 * (Claude Desktop, Cursor on macOS) spawn without the login shell's PATH, so a bare
 * `node` either fails or finds some other Node. `clientId` undefined: a file several
 * clients read (linked into each), where naming one would make the others' sessions pass
 * for its own, in audit and in `mcp.client` policy rules; the shim tells them apart as it
 * runs (client-detect.ts).
 */
export function buildWrapLaunch(
  runtimePath: string,
  cliPath: string,
  server: string,
  clientId: string | undefined,
  original: Launch,
): Launch {
  return {
    command: runtimePath,
    args: [cliPath, 'wrap', '--server', server, ...(clientId === undefined ? [] : ['--client', clientId]), '--', original.command, ...original.args],
  };
}

export interface DecodedWrap {
  /** What runs cli.js (`<runtime> <cli.js> wrap …`); undefined for a self-contained `<binary> wrap …`. */
  runtime?: string;
  cliPath: string;
  server: string;
  original: Launch;
}

/** Reads a launch back as a wrap line; undefined when it is not one. */
export function decodeWrapLaunch(launch: Launch): DecodedWrap | undefined {
  const argv = [launch.command, ...launch.args];
  const w = argv.indexOf('wrap');
  // Either `<runtime> <cli.js> wrap …` or a self-contained `<mcp-firewall binary> wrap …`.
  if (w !== 1 && w !== 2) return undefined;
  const read = readWrapArgs(argv.slice(w + 1));
  if (typeof read === 'string') return undefined;
  return { ...(w === 2 ? { runtime: argv[0]! } : {}), cliPath: argv[w - 1]!, server: read.server, original: read.original };
}

/** What a wrap line launches before `wrap`: the runtime and cli.js, or a self-contained binary. */
export function wrapPrefix(launch: Launch): string[] {
  const argv = [launch.command, ...launch.args];
  return argv.slice(0, argv.indexOf('wrap'));
}

/**
 * The same wrap line launched by another runtime and cli: everything from `wrap` on (server
 * name, client id, the original launch) is kept as it is, so the registry sees no change.
 */
export function rebaseWrapLaunch(launch: Launch, runtimePath: string, cliPath: string): Launch {
  const argv = [launch.command, ...launch.args];
  return { command: runtimePath, args: [cliPath, ...argv.slice(argv.indexOf('wrap'))] };
}

/**
 * The registry fingerprint of a stdio server: its exact argv. The shim can compute the
 * same value from what follows `--`, so a changed launch line shows up as registry drift.
 */
export function launchFingerprint(launch: Launch): string {
  const canonical = JSON.stringify([launch.command, ...launch.args]);
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

export function urlFingerprint(url: string): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(['url', url])).digest('hex')}`;
}
