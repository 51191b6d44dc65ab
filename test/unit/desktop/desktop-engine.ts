import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallInfo } from '../../../main/firewall/ipc/protocol.js';
import { createDashboardService } from '../../../main/firewall/api/dashboard-service.js';
import { createEngine, type Engine } from '../../../main/firewall/engine.js';
import { REPO_ROOT } from '../../helpers/paths.js';

/** A real engine in a temp data dir, as the Electron main process runs it. */
export function desktopEngine(options: { gateIntervalMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpfw-desktop-'));
  const engine: Engine = createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), progressIntervalMs: 60_000, ...options });
  const service = createDashboardService(engine, { env: { HOME: dir }, platform: 'linux', projectDirs: [], runtimePath: process.execPath, cliPath: '/nonexistent/cli.js' });
  return {
    engine,
    service,
    dispose() {
      engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let n = 0;
/** A write call as a shim would hand it to the engine: the default policy asks for approval. */
export function writeCall(tool = 'write_file', args: unknown = { path: '/tmp/x.txt', content: 'hello' }): CallInfo {
  n++;
  return { sessionId: 's1', client: 'claude-code', server: 'filesystem', method: 'tools/call', tool, actionClass: 'write', argsDigest: `sha256:${n}`, arguments: args, requestId: String(n) };
}
