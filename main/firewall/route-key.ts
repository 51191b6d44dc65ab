import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite } from './clients/file-io.js';
import { narrowToOwner } from './private-file.js';

// The interposer's routes (`/mcp/NAME`) are reached before the control token is checked,
// since MCP clients cannot hold that token; yet anyone who can open a loopback connection
// (another account on a shared Mac, a container sharing the host's network) could then
// start sessions to this user's remote servers, as this user when a keychain credential
// is stored. So every route carries a per-install key in its query (`?key=…`), written by
// `protect` into the client's own config and checked on every request. It grants only
// the routes, never the control API, and lives as long as the install: a new key would
// break every routed entry until the engine re-points them (repoint-at-start.ts).

export const ROUTE_KEY_PARAM = 'key';
const FILE_NAME = 'route-key';
// 32 random bytes in base64url: 43 characters.
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

export function routeKeyFile(dataDir: string): string {
  return join(dataDir, FILE_NAME);
}

/**
 * This install's route key, created on first use (0600, like the control token). A file
 * that holds anything else (truncated, edited) is replaced: the routes written with the
 * old key are then re-pointed at the engine's next start, and nothing else depends on it.
 */
export function loadRouteKey(dataDir: string): string {
  const file = routeKeyFile(dataDir);
  const existing = readSettledKey(file);
  if (existing !== null && WELL_FORMED.test(existing)) {
    narrowToOwner(file);
    return existing;
  }
  const fresh = randomBytes(32).toString('base64url');
  if (existing === null) return createKey(file, fresh) ? fresh : loadRouteKey(dataDir);
  atomicWrite(file, `${fresh}\n`, 0o600);
  narrowToOwner(file);
  return fresh;
}

/**
 * Puts the key in place whole, or not at all: written to a file of its own, then linked
 * under the name, which fails if another process (the engine and a CLI `protect` at once)
 * got there first. False then: that key is the one. A plain exclusive create would leave
 * the file empty for a moment, and the other process, reading it then, would replace it
 * with a key of its own.
 */
function createKey(file: string, key: string): boolean {
  const staging = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(staging, `${key}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(staging, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links (some network and FUSE mounts): the plain exclusive create, with its moment of an empty file.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createExclusively(file, key);
    throw error;
  } finally {
    rmSync(staging, { force: true });
  }
}

function createExclusively(file: string, key: string): boolean {
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * The file's key; an empty file is read again for a moment first: on a file system without
 * hard links another process creates it with a plain exclusive create, empty until it writes.
 */
function readSettledKey(file: string): string | null {
  let key = readKey(file);
  for (let tries = 0; key === '' && tries < 10; tries++) {
    Atomics.wait(PAUSE, 0, 0, 10);
    key = readKey(file);
  }
  return key;
}
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function readKey(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
