import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Client configs protected by the desktop app launch the shim with the app's own runtime,
 * so no system Node is needed. The app binary is only a Node interpreter with
 * ELECTRON_RUN_AS_NODE=1, which a config entry cannot be trusted to carry, so the app
 * writes a two-line launcher into the data dir at every start (the binary's path changes
 * when the app is updated or moved) and protected entries point at that launcher.
 * This needs the RunAsNode fuse on (electron-builder.yml); see the note there.
 */
export function writeShimLauncher(dataDir: string, appBinary: string, platform: NodeJS.Platform = process.platform): string {
  const dir = join(dataDir, 'bin');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (platform === 'win32') {
    const file = join(dir, 'mcp-firewall-node.cmd');
    writeFileSync(file, `@echo off\r\nset ELECTRON_RUN_AS_NODE=1\r\n"${appBinary}" %*\r\n`);
    return file;
  }
  const file = join(dir, 'mcp-firewall-node');
  const quoted = `'${appBinary.replace(/'/g, `'\\''`)}'`;
  writeFileSync(file, `#!/bin/sh\nELECTRON_RUN_AS_NODE=1 exec ${quoted} "$@"\n`, { mode: 0o700 });
  chmodSync(file, 0o700);
  return file;
}
