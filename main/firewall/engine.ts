import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { createApprovalQueue, type ApprovalQueue } from './approvals/approval-queue.js';
import { createCallGate, type CallGate } from './approvals/call-gate.js';
import { createAuditLog, type AuditEntry, type AuditLog } from './audit/audit-log.js';
import type { Snapshot } from './ipc/protocol.js';
import { dataPaths, type DataPaths } from './paths.js';
import { loadRouteKey } from './route-key.js';
import { openPolicyFile, type PolicyFile } from './policy/policy-file.js';
import { setServerEnabled } from './registry/registry-actions.js';
import { approveServerForgettingGrants, type ServerApproval } from './approvals/replaced-launch-grants.js';
import { watchGates } from './gates/gate-watch.js';
import { createPauseState, MAX_PAUSE_MS, PAUSE_RULE_ID } from './policy/pause.js';
import { createSpool, type Spool } from './ipc/spool.js';
import type { GateStatus } from './gates/gates.js';
import { createFirstSightListings, type ListedFrom } from './pins/first-sight-listings.js';
import { reviewManifest, type BlockedTools, type DeployWindow, type ManifestContext } from './pins/manifest-gate.js';
import type { ManifestKind } from './pins/manifest-keys.js';
import { createPinStore, type PinStore, type ReviewedVersion } from './pins/pin-store.js';
import { loadQuarantineKey } from './quarantine/quarantine-key.js';
import { createQuarantineService, type QuarantineService } from './quarantine/quarantine-service.js';
import { createCredentialsLock, type CredentialsLock } from './identity/credentials-lock.js';
import type { TokenRevocation } from './identity/revoke-held.js';
import type { SecretStore } from './identity/secret-store.js';
import { createRegistry, type ApproveOptions, type LaunchFingerprint, type Registry } from './registry/registry.js';
import { getSetting, openDatabase, setSetting } from './store/database.js';

export interface EngineOptions {
  dataDir: string;
  /** Policy file to enforce; defaults to policy.yaml in the data dir, created from the shipped default. */
  policyFile?: string;
  defaultPolicyFile: string;
  progressIntervalMs?: number;
  /** The keychain: secrets a server gets in its environment at spawn. */
  secretEnv?: (server: string) => Promise<Record<string, string>>;
  gateIntervalMs?: number;
  spoolIntervalMs?: number;
  /** Deletes the credentials the firewall holds for a server (the seed's "revoke active tokens"), OAuth tokens revoked at their server too. */
  revokeTokens?: (audience: string) => Promise<TokenRevocation>;
  /** The OS keychain; holds the quarantine's encryption key. */
  secretStore?: SecretStore;
  /** Hears what a person running the engine should know (`serve` prints it). */
  onNotice?: (message: string) => void;
}

export interface Engine {
  readonly paths: DataPaths;
  /** This install's route key: every `/mcp/NAME` request carries it (route-key.ts). */
  readonly routeKey: string;
  readonly db: DatabaseSync;
  readonly audit: AuditLog;
  readonly registry: Registry;
  readonly approvals: ApprovalQueue;
  readonly gate: CallGate;
  readonly policy: PolicyFile;
  readonly pins: PinStore;
  readonly quarantine: QuarantineService;
  /** Where shims append their audit rows; folded into the chain on a timer and on demand. */
  readonly spool: Spool;
  /** The seed's five detection gates, re-evaluated on a timer; `onGatePage` hears when one starts paging. */
  gates(): GateStatus[];
  onGatePage(listener: (gate: GateStatus) => void): () => void;
  /** Which items of a tools/prompts/templates list (or the instructions) the client may not see. */
  /** `listed`: which page of a listing the items are, and the numbers their parse changed (first-sight-listings.ts). */
  reviewManifest(ctx: ManifestContext, kind: ManifestKind, items: unknown[], listed?: ListedFrom): BlockedTools;
  /** Accepts pending tool versions; running sessions of that server see them at once. */
  /** Accepts the held versions a person reviewed (pin-store `accept`); throws StaleReviewError when they changed since. */
  acceptPins(server: string, reviewed: ReviewedVersion, actor: string): string[];
  deployWindow(): DeployWindow | null;
  setDeployWindow(window: DeployWindow | null, actor: string): void;
  onPinsAccepted(listener: (server: string, tools: string[]) => void): () => void;
  snapshot(): Snapshot;
  /** Environment variables (from the keychain) the named server is launched with. */
  secretEnv(server: string): Promise<Record<string, string>>;
  /** The keychain the engine was given (null: none), for what writes back to it (OAuth refreshes). */
  readonly secretStore: SecretStore | null;
  /** Held by whatever writes or removes OAuth credentials, here and in `auth` CLI processes (credentials-lock.ts). */
  readonly credentialsLock: CredentialsLock;
  /** Called with every new snapshot (policy reload, emergency switch). */
  onSnapshot(listener: (snapshot: Snapshot) => void): () => void;
  /** Called when a server must stop now (disabled in the registry). */
  onServerRevoked(listener: (server: string, reason: string) => void): () => void;
  /** Called when `registry approve --replace` (or a new URL) dropped launch lines: sessions running a launch `stillApproved` refuses must stop. */
  onLaunchesReplaced(listener: (server: string, stillApproved: (launch: LaunchFingerprint) => boolean) => void): () => void;
  emergencyWriteApproval(): boolean;
  /** Revokes every credential the firewall holds for `audience` (a server) and forgets its remembered approvals (containment): the credentials' names, what an OAuth authorization server said, how many approvals. */
  revokeTokens(audience: string, actor: string): Promise<TokenRevocation & { grantsForgotten: number }>;
  /** Called as revokeTokens starts, before anything is removed (a login under way for that server is cancelled). */
  onTokensRevoked(listener: (audience: string) => void): () => void;
  /** Pause protection for `minutes` (routine asks go through; see policy/pause.ts), or resume with null. */
  pauseProtection(minutes: number | null, actor: string): string | null;
  pausedUntil(): string | null;
  setEmergencyWriteApproval(on: boolean, actor: string): void;
  /**
   * `registry approve`: `pin` a remote server's URL, else the launch line refused last (or the
   * pinned one). One that drops a launch line forgets the server's remembered approvals.
   */
  approveServer(name: string, actor: string, options?: ApproveOptions, pin?: LaunchFingerprint): ServerApproval;
  setServerEnabled(name: string, enabled: boolean, actor: string): ReturnType<Registry['setEnabled']>;
  record(entry: AuditEntry): void;
  close(): void;
}

const EMERGENCY_KEY = 'emergency_write_approval';
const DEPLOY_WINDOW_KEY = 'deploy_window';
const PAUSED_UNTIL_KEY = 'paused_until';
/** The length a pause was granted for: after a restart, the most it may still last (policy/pause.ts). */
const PAUSE_GRANTED_MS_KEY = 'pause_granted_ms';
const POLICY_IN_FORCE_KEY = 'policy_in_force';

export function createEngine(options: EngineOptions): Engine {
  const paths = dataPaths(options.dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const routeKey = loadRouteKey(paths.dir);
  const policyPath = options.policyFile ?? paths.policy;
  const db = openDatabase(paths.database);
  const audit = createAuditLog(db);
  if (!options.policyFile && !existsSync(policyPath)) {
    // Only a first start gets the shipped default. A policy.yaml that went missing since is
    // put back as it was last in force: the default allows far more than a strict one, and
    // a deleted file must not loosen the firewall behind its owner's back.
    const lastInForce = getSetting(db, POLICY_IN_FORCE_KEY);
    if (lastInForce === null) copyFileSync(options.defaultPolicyFile, policyPath);
    else {
      writeFileSync(policyPath, lastInForce, { mode: 0o600 });
      const reason = `${policyPath} was missing; restored the policy last in force (to start from the shipped default, copy resources/default-policy.yaml over it)`;
      audit.append({ event: 'policy', decision: 'RESTORED', reason });
      options.onNotice?.(reason);
    }
  }
  const registry = createRegistry(db);
  const approvals = createApprovalQueue(db);
  const pins = createPinStore(db);
  const spool = createSpool(db, audit, join(paths.dir, 'spool'), options.spoolIntervalMs ?? 100);
  const pageListeners = new Set<(gate: GateStatus) => void>();
  const gateWatch = watchGates(db, audit, (gate) => pageListeners.forEach((listener) => listener(gate)), options.gateIntervalMs);
  const quarantineKeyFile = join(paths.dir, 'quarantine.key');
  const quarantine = createQuarantineService(db, audit, async () => {
    const { key, where, older } = await loadQuarantineKey(options.secretStore ?? null, quarantineKeyFile);
    if (where === 'file') options.onNotice?.(`the OS keychain is not reachable, so quarantined results are encrypted with the key in ${quarantineKeyFile} (readable by this user only)`);
    return [key, ...older];
  });
  const acceptedListeners = new Set<(server: string, tools: string[]) => void>();
  const deployWindow = (): DeployWindow | null => {
    const raw = getSetting(db, DEPLOY_WINDOW_KEY);
    return raw ? (JSON.parse(raw) as DeployWindow) : null;
  };
  const firstSightListings = createFirstSightListings();
  const snapshotListeners = new Set<(s: Snapshot) => void>();
  const revokeListeners = new Set<(server: string, reason: string) => void>();
  const replacedListeners = new Set<(server: string, stillApproved: (launch: LaunchFingerprint) => boolean) => void>();
  const tokensRevokedListeners = new Set<(audience: string) => void>();
  let version = 0;
  let emergency = getSetting(db, EMERGENCY_KEY) === 'on';
  const pause = createPauseState();
  pause.set(getSetting(db, PAUSED_UNTIL_KEY) || null, Number(getSetting(db, PAUSE_GRANTED_MS_KEY)) || MAX_PAUSE_MS);
  let resumeTimer: NodeJS.Timeout | undefined;
  const scheduleResume = () => {
    clearTimeout(resumeTimer);
    if (pause.current() === null) return;
    // Shims check the time themselves; this tells them, the dashboard and the tray it is over.
    resumeTimer = setTimeout(() => publish(), pause.remainingMs() + 50);
    resumeTimer.unref();
  };

  const publish = () => {
    version++;
    const snap = snapshot();
    snapshotListeners.forEach((listener) => listener(snap));
  };
  const policy = openPolicyFile(policyPath, {
    onReload: () => {
      audit.append({ event: 'policy', decision: 'RELOADED', reason: `policy reloaded from ${policyPath}` });
      publish();
    },
    onRejected: (errors) => {
      audit.append({ event: 'policy', decision: 'REJECTED', reason: `kept the last good policy; ${errors.length} error(s) in ${policyPath}` });
    },
    // Only the data dir's own policy.yaml is restored; a --policy file is the caller's to keep.
    onInForce: (source) => {
      if (!options.policyFile) setSetting(db, POLICY_IN_FORCE_KEY, source);
    },
  });
  scheduleResume();
  const gate = createCallGate({
    approvals,
    audit,
    spoolRow: (sessionId, entry) => spool.append(sessionId, entry),
    policy: () => policy.current(),
    emergency: () => emergency,
    pausedUntil: () => pause.current(),
    progressIntervalMs: options.progressIntervalMs ?? 5_000,
  });

  function snapshot(): Snapshot {
    return { version, policy: policy.current().spec, emergencyWriteApproval: emergency, pausedUntil: pause.current() };
  }

  return {
    paths,
    routeKey,
    db,
    audit,
    registry,
    approvals,
    gate,
    policy,
    pins,
    quarantine,
    spool,
    gates: () => gateWatch.current(),
    onGatePage(listener) {
      pageListeners.add(listener);
      return () => pageListeners.delete(listener);
    },
    reviewManifest: (ctx, kind, items, listed) => reviewManifest({ pins, audit, deployWindow, firstSightListings }, ctx, kind, items, listed),
    acceptPins(server, reviewed, actor) {
      const accepted = pins.accept(server, reviewed);
      for (const name of accepted) audit.append({ event: 'manifest', decision: 'ACCEPTED', actorId: actor, serverName: server, toolName: name, ruleId: 'manifest-pin', reason: 'new definition accepted and pinned' });
      if (accepted.length > 0) acceptedListeners.forEach((listener) => listener(server, accepted));
      return accepted;
    },
    deployWindow,
    setDeployWindow(window, actor) {
      setSetting(db, DEPLOY_WINDOW_KEY, window ? JSON.stringify(window) : '');
      audit.append({ event: 'manifest', decision: window ? 'WINDOW_OPEN' : 'WINDOW_CLOSED', actorId: actor, ruleId: 'manifest-pin', reason: window ? `deploy window for change ${window.ticket} until ${window.until}` : 'deploy window closed' });
    },
    onPinsAccepted(listener) {
      acceptedListeners.add(listener);
      return () => acceptedListeners.delete(listener);
    },
    snapshot,
    secretEnv: options.secretEnv ?? (async () => ({})),
    secretStore: options.secretStore ?? null,
    credentialsLock: createCredentialsLock(paths.dir),
    onSnapshot(listener) {
      snapshotListeners.add(listener);
      return () => snapshotListeners.delete(listener);
    },
    onServerRevoked(listener) {
      revokeListeners.add(listener);
      return () => revokeListeners.delete(listener);
    },
    onLaunchesReplaced(listener) {
      replacedListeners.add(listener);
      return () => replacedListeners.delete(listener);
    },
    emergencyWriteApproval: () => emergency,
    onTokensRevoked(listener) {
      tokensRevokedListeners.add(listener);
      return () => tokensRevokedListeners.delete(listener);
    },
    async revokeTokens(audience, actor) {
      tokensRevokedListeners.forEach((listener) => listener(audience));
      let result: TokenRevocation;
      let grantsForgotten: number;
      let callsDenied: number;
      try {
        result = options.revokeTokens ? await options.revokeTokens(audience) : { revoked: [], authorizationServer: null };
      } finally {
        // Remembered approvals are standing permissions too: a contained server's writes must
        // not run unasked again once it is re-enabled and emergency approval is off — even
        // when the keychain failed the revocation above. Its calls still waiting are denied
        // first (those parked while the keychain was asked too): an "always" answered to one
        // afterwards would write the grant forgotten here afresh.
        callsDenied = approvals.cancelServer(audience);
        grantsForgotten = approvals.forgetGrants(audience);
      }
      const { revoked, keychainError } = result;
      const unlisted = keychainError === undefined ? '' : `; the keychain could not be listed (${keychainError}): credentials outside the index may remain`;
      const forgot = grantsForgotten > 0 ? `; ${grantsForgotten} remembered approval${grantsForgotten === 1 ? '' : 's'} forgotten` : '';
      const denied = callsDenied > 0 ? `; ${callsDenied} call${callsDenied === 1 ? '' : 's'} waiting for approval denied` : '';
      audit.append({ event: 'secret', decision: 'TOKENS_REVOKED', actorId: actor, serverName: audience, reason: `${revoked.length ? `revoked ${revoked.join(', ')}` : 'no credentials held for this server'}${unlisted}${forgot}${denied}` });
      return { ...result, grantsForgotten };
    },
    pausedUntil: () => pause.current(),
    pauseProtection(minutes, actor) {
      const pausedUntil = minutes === null ? null : new Date(Date.now() + minutes * 60_000).toISOString();
      pause.set(pausedUntil, minutes === null ? undefined : minutes * 60_000);
      setSetting(db, PAUSED_UNTIL_KEY, pausedUntil ?? '');
      setSetting(db, PAUSE_GRANTED_MS_KEY, minutes === null ? '' : String(minutes * 60_000));
      audit.append({ event: 'policy', decision: pausedUntil ? 'PAUSED' : 'RESUMED', actorId: actor, ruleId: PAUSE_RULE_ID, reason: pausedUntil ? `protection paused until ${pausedUntil}: the policy's routine approvals are not asked (findings still are)` : 'protection resumed' });
      scheduleResume();
      publish();
      return pausedUntil;
    },
    setEmergencyWriteApproval(on, actor) {
      if (on === emergency) return;
      emergency = on;
      // Persisted: containment must survive an engine restart.
      setSetting(db, EMERGENCY_KEY, on ? 'on' : 'off');
      audit.append({ event: 'policy', decision: on ? 'EMERGENCY_ON' : 'EMERGENCY_OFF', actorId: actor, ruleId: 'emergency-write-approval', reason: `emergency write approval turned ${on ? 'on' : 'off'}` });
      publish();
    },
    approveServer: (name, actor, options, pin) => approveServerForgettingGrants(
      {
        registry, audit, forgetGrants: (server) => approvals.forgetGrants(server), cancelWaiting: (server) => approvals.cancelServer(server),
        stopReplaced: (server, stillApproved) => replacedListeners.forEach((listener) => listener(server, stillApproved)),
      }, name, actor, options, pin),
    setServerEnabled(name, enabled, actor) {
      const entry = setServerEnabled(registry, audit, name, enabled, actor);
      if (entry && !enabled) {
        // Its calls still waiting are denied here, not left to its shim to withdraw: a shim that
        // is hung (or slow) would leave them answerable, and an "always" given to one would
        // outlive the containment that forgot the server's grants.
        approvals.cancelServer(name);
        revokeListeners.forEach((listener) => listener(name, `server '${name}' was disabled in the MCP Firewall registry`));
      }
      return entry;
    },
    record: (entry) => {
      audit.append(entry);
    },
    close() {
      clearTimeout(resumeTimer);
      // Every part is stopped even when one fails (a spool that cannot fold into a broken
      // database): a policy watcher left running would reload and audit later, into nothing.
      let failure: unknown;
      for (const stop of [() => gateWatch.stop(), () => spool.close(), () => approvals.close(), () => policy.close(), () => db.close()]) {
        try {
          stop();
        } catch (error) {
          failure ??= error;
        }
      }
      if (failure !== undefined) throw failure;
    },
  };
}
