// `npm start` needs Electron's binary. setup.sh installs packages without it (it comes
// from outside the npm registry, and CI and headless machines never need it), so it is
// fetched here, the first time someone actually starts the desktop app.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', 'node_modules', 'electron');
const pathFile = join(root, 'path.txt');
const installed = existsSync(pathFile) && existsSync(join(root, 'dist', readFileSync(pathFile, 'utf8').trim()));
if (!installed) {
  console.log("Fetching Electron's binary for the desktop app (once)…");
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const result = spawnSync(process.execPath, [join(root, 'install.js')], { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error("Could not download Electron's binary. The headless engine works without it: npm run serve");
    process.exit(1);
  }
}
