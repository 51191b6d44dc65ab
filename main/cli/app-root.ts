import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The install root (where resources/ lives). Found by walking up from this module, since
 * it sits at a different depth in the bundle (dist/chunks) than in the sources (main/cli).
 */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'resources', 'default-policy.yaml'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the MCP Firewall install root (resources/default-policy.yaml)');
}

export function defaultPolicyFile(): string {
  return join(appRoot(), 'resources', 'default-policy.yaml');
}
