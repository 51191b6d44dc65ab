import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite } from '../firewall/clients/file-io.js';
import { LAUNCHER_ADDED_RUN_AS_NODE } from '../firewall/launcher-env.js';

/**
 * Client configs protected by the desktop app launch the shim with the app's own runtime,
 * so no system Node is needed. The app binary is only a Node interpreter with
 * ELECTRON_RUN_AS_NODE=1, which a config entry cannot be trusted to carry, so the app
 * writes a two-line launcher into the data dir at every start (the binary's path changes
 * when the app is updated or moved) and protected entries point at that launcher. It is
 * replaced whole: a client launching a server while the app starts must never run half of it.
 * This needs the RunAsNode fuse on (electron-builder.yml); see the note there. When the
 * client did not set ELECTRON_RUN_AS_NODE itself, the launcher says so, and the shim takes the
 * variable out again (launcher-env.ts): a server that is itself an Electron app would
 * otherwise start as a bare Node.
 */
export function writeShimLauncher(dataDir: string, appBinary: string, platform: NodeJS.Platform = process.platform): string {
  const dir = join(dataDir, 'bin');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (platform === 'win32') {
    const file = join(dir, 'mcp-firewall-node.cmd');
    atomicWrite(file, `@echo off\r\nif not defined ELECTRON_RUN_AS_NODE set ${LAUNCHER_ADDED_RUN_AS_NODE}=1\r\nset ELECTRON_RUN_AS_NODE=1\r\n"${appBinary}" %*\r\n`, 0o700);
    return file;
  }
  const file = join(dir, 'mcp-firewall-node');
  const quoted = `'${appBinary.replace(/'/g, `'\\''`)}'`;
  atomicWrite(file, `#!/bin/sh\n[ -n "\${ELECTRON_RUN_AS_NODE+set}" ] || export ${LAUNCHER_ADDED_RUN_AS_NODE}=1\nELECTRON_RUN_AS_NODE=1 exec ${quoted} "$@"\n`, 0o700);
  chmodSync(file, 0o700);
  return file;
}
