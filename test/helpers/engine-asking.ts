import { join } from 'node:path';
import { createEngine, type Engine } from '../../main/firewall/engine.js';
import { REPO_ROOT } from './paths.js';

/** A write the shipped default policy asks about: memory's create_entities from cursor. */
export const WRITE_CALL = {
  sessionId: 's1', client: 'cursor', server: 'memory', method: 'tools/call', tool: 'create_entities', actionClass: 'write',
  argsDigest: 'sha256:d1', arguments: {}, requestId: '7',
} as const;

/** An engine in `dir` under the shipped default policy (progress notices out of the way). */
export function engineWithDefaultPolicy(dir: string): Engine {
  return createEngine({ dataDir: dir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), progressIntervalMs: 60_000 });
}

/** Asks the engine's gate about WRITE_CALL: the call's verdict to come, and the approval it waits for. */
export function askAboutWrite(engine: Engine) {
  const asked = engine.gate.decide(WRITE_CALL, 'me@cursor', () => {});
  const [pending] = engine.approvals.list();
  if (!pending) throw new Error('the default policy did not ask about the write');
  return { asked, pending };
}
