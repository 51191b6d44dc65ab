import { join } from 'node:path';
import type { Engine } from '../../main/firewall/engine.js';

/**
 * Just enough of an engine for startShimServer to admit a session (every server admitted,
 * no secrets, a spool file under `dir`); `parts` replaces or adds what a test looks at.
 */
export function fakeShimEngine(dir: string, parts: Record<string, unknown> = {}): Engine {
  return {
    registry: { admit: () => ({ admitted: true, pinnedNow: false }) },
    record: () => {},
    secretEnv: async () => ({}),
    spool: { open: () => join(dir, 'spool'), resume: () => {}, finish: () => {} },
    snapshot: () => ({ version: 1, policy: {}, emergencyWriteApproval: false, pausedUntil: null }),
    quarantine: { releasedFor: async () => [], onReleased: () => () => {} },
    onSnapshot: () => () => {},
    onPinsAccepted: () => () => {},
    onServerRevoked: () => () => {},
    approvals: { forgetSession: () => {} },
    ...parts,
  } as unknown as Engine;
}
