import type { ManifestKind } from '../pins/manifest-keys.js';
import type { ActionClass, Constraints, Decision, PolicySpec } from '../policy/types.js';

// Shim ↔ engine messages, one JSON object per line over the engine's local socket.
// The shim decides plain ALLOW/DENY itself on the snapshot and only asks the engine
// (`decide`) for what needs its state: approvals and remembered grants.

/** What the engine pushes to every shim; the shim never reads the policy file itself. */
export interface Snapshot {
  version: number;
  policy: PolicySpec;
  emergencyWriteApproval: boolean;
  /** ISO time until which the policy's routine asks go through unasked (findings still ask); null when protection runs normally. */
  pausedUntil: string | null;
}

export interface CallInfo {
  sessionId: string;
  client: string;
  server: string;
  method: string;
  tool: string;
  actionClass: ActionClass;
  /** When the server's annotations raised the class: the class the tool's name gave it (policy/effective-verdict.ts classVerdict). */
  classBeforeAnnotations?: ActionClass;
  argsDigest: string;
  arguments: unknown;
  /** `arguments` as the client wrote them, when a number in them did not survive JSON.parse (digits beyond 2^53…). */
  argumentsSource?: string;
  requestId: string;
  /** A guard, taint or DLP finding that makes a call the policy does not deny wait for a person. */
  escalation?: { ruleId: string; reason: string };
}

export type ShimMessage =
  /** `resumed`: the same session again after the engine restarted (the server kept running). */
  /** `ppid`: the process that launched the shim, the MCP client: its shims share taint (below). */
  /** `resolved`: where a bare `command` was found on the spawn env's PATH (proxy/resolve-command.ts); absent when not resolved. */
  | { t: 'hello'; server: string; client: string; command: string; args: string[]; resolved?: string; sessionId: string; pid: number; ppid?: number; resumed?: boolean }
  | { t: 'decide'; rid: number; call: CallInfo; ruleId: string | null; reason: string }
  | { t: 'cancel'; rid: number }
  /**
   * `page`: which page of a listing the items are; `numbers`: per item, the numbers the parse
   * changed, as the server wrote them (first-sight-listings.ts). Neither for instructions.
   */
  | { t: 'manifest'; rid: number; kind: ManifestKind; items: unknown[]; page?: { cursor: string | null; next: string | null }; numbers?: Array<Array<[Array<string | number>, string]> | null> }
  /** A result withheld by the output stage; answered with `held` once it is stored. */
  | { t: 'quarantine'; rid: number; tool: string; argsDigest: string; findings: Array<{ type: string; family: string; severity: string; path: string }>; payload: string }
  | { t: 'delivered'; id: string }
  /**
   * Fingerprints of an untrusted result (guard/taint.ts): (hash1, hash2) pairs of uint32,
   * base64. The engine passes them to the client's other shims, so a web page read through
   * one server taints a write through another.
   */
  | { t: 'taint'; tool: string; hashes: string };

export type EngineMessage =
  /**
   * `env`: the server's secrets from the OS keychain, injected at spawn (never written to disk).
   * `spool`: the file this session appends its audit rows to (see ipc/spool.ts).
   */
  | { t: 'welcome'; snapshot: Snapshot; env: Record<string, string>; spool: string }
  | { t: 'refused'; reason: string; hint: string }
  | { t: 'snapshot'; snapshot: Snapshot }
  | { t: 'verdict'; rid: number; decision: Decision; ruleId: string | null; reason: string; approvalId: string | null; constraints: Constraints }
  | { t: 'nack'; rid: number; error: string }
  | { t: 'progress'; rid: number; message: string }
  /** Tools to hide from the client, and why; answers `manifest`. */
  | { t: 'manifestVerdict'; rid: number; blocked: Record<string, string> }
  /** Tools a person accepted since: the shim lets them through and tells the client to re-list. */
  | { t: 'unblocked'; tools: string[] }
  | { t: 'held'; rid: number; id: string }
  /** A person released a held result: the shim answers the retry of that call with it. */
  | { t: 'released'; id: string; tool: string; argsDigest: string; payload: string }
  /** A released result another session delivered: not to be delivered again (output-stage.ts). */
  | { t: 'releaseTaken'; id: string }
  /** Another shim of the same client read untrusted text: `source` is `server/tool`. */
  | { t: 'taint'; source: string; hashes: string };
