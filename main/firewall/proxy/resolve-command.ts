import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/**
 * Where a bare launch command (`node`, `npx`, `uvx`) is found on the PATH of the env the
 * server is spawned with: the program that actually runs. The launch pin is the command's
 * name, so without this a config that keeps an approved launch line but puts its own
 * directory first on PATH runs another program under the approved name.
 *
 * The same search the spawn makes (execvp): each PATH entry in order, an empty one meaning
 * the working directory, the first executable regular file wins; no PATH searches the
 * system default. The path is absolute but not realpath'd: /opt/homebrew/bin/node stays the
 * same across upgrades, where its target changes with every version.
 *
 * Undefined when there is nothing to resolve (a command with a slash runs as written) or
 * it cannot be done the way the spawn does it: on Windows the shim spawns through cmd.exe,
 * whose search (current directory first, PATHEXT) is not copied here; nor when nothing on
 * PATH is found, where the spawn fails too.
 */
export function resolveOnPath(command: string, env: NodeJS.ProcessEnv, cwd: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'win32' || !command || command.includes('/')) return undefined;
  // execvp's default when PATH is unset (glibc and macOS: _PATH_DEFPATH).
  const path = env.PATH ?? '/usr/bin:/bin';
  for (const dir of path.split(':')) {
    const candidate = resolve(cwd, dir || '.', command);
    if (isAbsolute(candidate) && isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
