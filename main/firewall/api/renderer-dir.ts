import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `npm run build` put the dashboard: <install root>/dist/renderer. The root is found
 * by walking up from this module, which sits at a different depth in the bundle than in
 * the sources.
 */
export function defaultRendererDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'resources', 'default-policy.yaml'))) return join(dir, 'dist', 'renderer');
    dir = dirname(dir);
  }
  return null;
}
