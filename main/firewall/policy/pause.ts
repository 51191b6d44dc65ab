import type { PolicyVerdict } from './types.js';

export const PAUSE_RULE_ID = 'protection-paused';

/** The longest pause there is (control API, CLI and dashboard refuse more). */
export const MAX_PAUSE_MS = 24 * 60 * 60_000;

export interface PauseClock {
  /** Wall-clock ms since the epoch: what the end is shown in. */
  wall(): number;
  /** Ms on a clock that only goes forward (performance.now): what the end is kept by. */
  monotonic(): number;
}

const systemClock: PauseClock = { wall: () => Date.now(), monotonic: () => performance.now() };

/**
 * A pause as one process (the engine, a shim) holds it. It is shown as a wall-clock end, but
 * judged by that end alone, setting the clock back lengthened it — more calls unasked. So
 * when a process learns of a pause, the time left becomes a deadline on the monotonic clock,
 * capped at the length granted (a pause read back after a restart cannot be checked against
 * the clock it was granted by; a shim's snapshot does not say, so at most a day). Setting
 * the clock forward ends it early, which only asks sooner.
 */
export interface PauseState {
  /** A pause granted here, read back, or in a snapshot; null ends it. The same end again changes nothing. */
  set(until: string | null, grantedMs?: number): void;
  /** The end while the pause lasts, else null. */
  current(): string | null;
  /** Ms until it is over (0 when it is). */
  remainingMs(): number;
}

export function createPauseState(clock: PauseClock = systemClock): PauseState {
  let until: string | null = null;
  let wallEnd = 0;
  let deadline = 0;
  const remainingMs = () => (until === null ? 0 : Math.max(0, Math.min(deadline - clock.monotonic(), wallEnd - clock.wall())));
  return {
    set(next, grantedMs = MAX_PAUSE_MS) {
      // A snapshot repeats the pause with every policy change: re-reading the wall clock then
      // would hand back whatever it was set back by.
      if (next === until) return;
      until = next;
      if (next === null) return;
      wallEnd = Date.parse(next);
      const left = Number.isFinite(wallEnd) ? wallEnd - clock.wall() : 0;
      deadline = clock.monotonic() + Math.min(left, grantedMs, MAX_PAUSE_MS);
    },
    current: () => (remainingMs() > 0 ? until : null),
    remainingMs,
  };
}

/**
 * "Pause protection" (tray, dashboard, `mcp-firewall pause`): for a while nobody is
 * asked for the policy's routine approvals (its rules, its default, an action-class ask):
 * such a call goes through, audited as such, and the seed's "unapproved write calls" gate
 * sees every one of them. Hard DENY rules, the registry, manifest pins and the output stage
 * keep working, and emergency write approval beats a pause: containment is not something a
 * click should undo. Nor does a pause silence a finding about the call itself (`escalation`:
 * a secret in its arguments, text from an untrusted tool flowing into a write, a session
 * guard): the user paused the firewall's routine questions, not its alarms, and a leak or a
 * runaway loop while they are away is exactly what a person must still see.
 *
 * `pausedUntil` is what PauseState.current() said: that one reading of the clocks decides.
 * Reading the wall clock again here could see the pause over, or (set back meanwhile) not
 * over, when current() had judged otherwise an instant before.
 */
export function pausedVerdict<V extends Pick<PolicyVerdict, 'decision' | 'ruleId' | 'reason'>>(
  verdict: V,
  pausedUntil: string | null,
  emergency: boolean,
  escalation: { ruleId: string; reason: string } | undefined,
): V {
  if (verdict.decision !== 'REQUIRE_APPROVAL' || emergency || escalation || pausedUntil === null) return verdict;
  return { ...verdict, decision: 'ALLOW', ruleId: PAUSE_RULE_ID, reason: `protection paused until ${pausedUntil}; would have asked: ${verdict.reason}` };
}
