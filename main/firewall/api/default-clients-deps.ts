import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DashboardClientsDeps } from './dashboard-service.js';

/**
 * For `serve`: the client configs of the user running it, and protected configs that
 * launch the shim with this very runtime and cli (the Electron shell passes its own).
 */
export function defaultClientsDeps(): DashboardClientsDeps {
  let cliPath = resolve(process.argv[1] ?? '');
  try {
    cliPath = realpathSync(cliPath);
  } catch {
    // keep the unresolved path
  }
  return { env: process.env, platform: process.platform, projectDirs: [process.cwd()], runtimePath: process.execPath, cliPath };
}
