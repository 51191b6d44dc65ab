import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlApi, type ControlApi } from '../../main/firewall/api/control-api.js';
import { createEngine, type Engine, type EngineOptions } from '../../main/firewall/engine.js';
import { startShimServer } from '../../main/firewall/ipc/shim-server.js';
import { routeUrl } from './engine-harness.js';
import { REPO_ROOT } from './paths.js';

export interface InProcessEngine {
  dir: string;
  engine: Engine;
  api: ControlApi;
  /** The interposer's URL for a remote server registered as `name`. */
  endpoint(name: string): URL;
  /** Shims (and interposer relays) connected to the engine's socket now: a relay that ended has hung up. */
  connectedShims(): number;
  close(): Promise<void>;
}

/**
 * An engine in this process as `serve` runs it: the shim socket and the control API (and
 * so the HTTP interposer), with the keychain a test supplies (`secretEnv`, `secretStore`) and
 * the policy (`policy`, YAML).
 */
export async function startInProcessEngine(prefix: string, keychain: Pick<EngineOptions, 'secretEnv' | 'secretStore' | 'revokeTokens'>, policy?: string): Promise<InProcessEngine> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // The data dir's own policy.yaml, as a user's edit would leave it (else the shipped default).
  if (policy !== undefined) writeFileSync(join(dir, 'policy.yaml'), policy);
  const engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), ...keychain });
  const shims = await startShimServer(engine, engine.paths.socket);
  const api = await startControlApi(engine, { port: 0, token: 'test-token', dashboard: false });
  return {
    dir,
    engine,
    api,
    endpoint: (name) => new URL(routeUrl(api.port, engine.routeKey, name)),
    connectedShims: () => shims.connectedSessions(),
    async close() {
      await api.close();
      await shims.close();
      engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
