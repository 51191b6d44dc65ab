import { readFileSync } from 'node:fs';
import type {
  ActivityQuery, ActivityRow, ApiMethod, ApiResult, EditOutcome, FirewallApi, PolicyError, ServerRow,
} from '../../../preload/contract.js';
import { WideScopeRefusedError, type ApprovalScope } from '../approvals/approval-queue.js';
import { runReadOnlyQueryIsolated } from '../audit/audit-query-isolated.js';
import { findAdapter, protectClients, scanClients, unprotectClients, type ClientsDeps, type EditReport, type ScanRow } from '../clients/index.js';
import { AUTO_PROTECT_UNDOES_UNPROTECT, autoProtectOn, engineClientsDeps } from '../client-watch.js';
import { atomicWrite } from '../clients/file-io.js';
import type { Engine } from '../engine.js';
import { parsePolicy } from '../policy/load.js';
import { formatFingerprint, launchDigest, launchText, type LaunchFingerprint, type Registry } from '../registry/registry.js';
import { revealArguments, toApprovalView } from './approval-view.js';
import { createOAuthMethods } from './dashboard-oauth.js';
import { createReviewMethods } from './dashboard-review.js';
import { createStatusMethods } from './dashboard-status.js';

/** Where the dashboard's scan/protect look, and what protected configs launch. */
export type DashboardClientsDeps = Pick<ClientsDeps, 'env' | 'platform' | 'projectDirs' | 'runtimePath' | 'cliPath' | 'knownCliPaths'>;

/** The dashboard API minus subscriptions: what both IPC handlers and HTTP routes call. */
export type DashboardService = Omit<FirewallApi, 'onChange'>;

export class DashboardInputError extends Error {}

const ACTOR = 'dashboard';

function auditRow(row: Record<string, unknown>): ActivityRow {
  return {
    id: Number(row.id), time: String(row.event_time), event: String(row.event), client: row.client as string | null,
    server: row.server_name as string | null, tool: row.tool_name as string | null, method: row.method as string | null,
    actionClass: row.action_class as string | null, decision: String(row.decision), ruleId: row.rule_id as string | null,
    reason: row.reason as string | null, approvalId: row.approval_id as string | null, argsDigest: row.args_digest as string | null,
    latencyMs: row.latency_ms as number | null,
  };
}

function serverRow(row: ScanRow, registry: Registry): ServerRow {
  const launch = row.command ? formatFingerprint({ command: row.command, args: row.args ?? [] }) : (row.url ?? null);
  // A shadow server's refused launch: what its Approve pins, so the page shows it (by digest).
  const waiting = registry.get(row.name) ? null : registry.pending(row.name);
  return {
    client: row.client, clientName: findAdapter(row.client)?.displayName ?? row.client, file: row.file, scope: row.scope, name: row.name, transport: row.transport, status: row.status,
    launch, waiting: waiting ? launchText(waiting) : null, waitingDigest: waiting ? launchDigest(waiting) : null, secrets: row.secrets.map(({ where, name, masked }) => ({ where, name, masked })), note: row.note ?? null,
  };
}

const editOutcome = (report: EditReport): EditOutcome => ({
  entries: report.entries.map(({ client, name, outcome, detail }) => ({ client, name, outcome, ...(detail ? { detail } : {}) })),
  errors: report.errors,
});

const policyErrors = (errors: Array<{ line: number; column: number; message: string }>): PolicyError[] =>
  errors.map(({ line, column, message }) => ({ line, column, message }));

/** `port` is where the engine serves `/mcp/NAME`: given, Protect routes remote entries too. */
export function createDashboardService(engine: Engine, clients: DashboardClientsDeps, port?: () => number): DashboardService {
  let approvalsVersion = 0;
  engine.approvals.onChange(() => approvalsVersion++);
  const lastId = engine.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM mcp_audit');
  const registryStamp = engine.db.prepare("SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at), '') AS v FROM registry");
  // Protecting a server from the dashboard approves it: the user just chose to route it through us.
  const deps: () => ClientsDeps = engineClientsDeps(engine, clients, ACTOR, port);

  return {
    // Manifests and Quarantine: held tools and held results, reviewed by a person.
    ...createReviewMethods(engine, ACTOR, (message) => new DashboardInputError(message)),
    // Pause, auto-protect and the detection gates.
    ...createStatusMethods(engine, ACTOR),
    // OAuth logins of servers pinned to a URL: `auth login|status|logout` from the page.
    ...createOAuthMethods(engine, ACTOR, (message) => new DashboardInputError(message)),
    async overview() {
      return {
        policyFile: engine.policy.file,
        policyLoadedAt: engine.policy.loadedAt(),
        emergencyWriteApproval: engine.emergencyWriteApproval(),
        pendingApprovals: engine.approvals.list().length,
        approvalsVersion,
        registryVersion: String((registryStamp.get() as { v: string }).v),
        lastActivityId: Number((lastId.get() as { id: number }).id),
        pausedUntil: engine.pausedUntil(),
        pagingGates: engine.gates().filter((gate) => gate.paging).map((gate) => gate.id),
      };
    },
    async activity(query: ActivityQuery) {
      const filters: Array<[string, string | number | undefined]> = [
        ['client = ?', query.client], ['server_name = ?', query.server], ['decision = ?', query.decision], ['id > ?', query.afterId],
      ];
      const active = filters.filter(([, value]) => value !== undefined && value !== '');
      const where = active.map(([clause]) => clause);
      const params = active.map(([, value]) => value as string | number);
      const sql = `SELECT * FROM mcp_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      const rows = engine.db.prepare(sql).all(...params, query.limit ?? 200) as Array<Record<string, unknown>>;
      return rows.map(auditRow);
    },
    async approvals() {
      return engine.approvals.list().map(toApprovalView);
    },
    async answerApproval({ id, verdict, scope }) {
      let answered: boolean;
      try {
        answered = engine.approvals.answer(id, verdict, (scope ?? 'once') as ApprovalScope);
      } catch (err) {
        if (err instanceof WideScopeRefusedError) throw new DashboardInputError(err.message);
        throw err;
      }
      if (!answered) {
        throw new DashboardInputError(`no pending approval '${id}' (already answered or timed out)`);
      }
    },
    async approvalArguments({ id }) {
      // Past the bound the page is not counted as read in full: `approvals show` must be read.
      const revealed = revealArguments(engine.approvals, id);
      if (!revealed) throw new DashboardInputError(`no pending approval '${id}' (already answered or timed out)`);
      return revealed.shown;
    },
    async servers() {
      const result = scanClients(deps());
      return { servers: result.servers.map((row) => serverRow(row, engine.registry)), errors: result.errors };
    },
    async protect({ client }) {
      return editOutcome(await protectClients(deps(), client ? { client } : {}));
    },
    async unprotect({ client }) {
      const outcome = editOutcome(await unprotectClients(deps(), client ? { client } : {}));
      if (!autoProtectOn(engine.db)) return outcome;
      // The engine's own watch would undo this in seconds: say so beside each entry it restored.
      for (const entry of outcome.entries) if (entry.outcome === 'restored') entry.detail = [entry.detail, AUTO_PROTECT_UNDOES_UNPROTECT].filter(Boolean).join('; ');
      return outcome;
    },
    async registry() {
      return engine.registry.list().map((entry) => ({
        name: entry.name, enabled: entry.enabled, launch: entry.fingerprint ? launchText(entry.fingerprint) : null, moreLaunches: entry.moreLaunches.map(launchText),
        ...pendingLaunch(engine.registry.pending(entry.name)),
        approvedAt: entry.approvedAt, updatedAt: entry.updatedAt,
      }));
    },
    async approveServer({ name, launch }) {
      // The line shown beside the button, or none: another config's line refused since is a 409.
      engine.approveServer(name, ACTOR, { launch });
    },
    async setServerEnabled({ name, enabled }) {
      if (!engine.setServerEnabled(name, enabled, ACTOR)) throw new DashboardInputError(`server '${name}' is not in the registry`);
    },
    async policy() {
      return {
        file: engine.policy.file,
        source: readFileSync(engine.policy.file, 'utf8'),
        loadedAt: engine.policy.loadedAt(),
        errors: policyErrors(engine.policy.lastErrors()),
      };
    },
    async checkPolicy({ source }) {
      const parsed = parsePolicy(source, engine.policy.file);
      return parsed.ok ? [] : policyErrors(parsed.errors);
    },
    async savePolicy({ source }) {
      // Checked before writing: a broken file on disk would only be rejected by the
      // reload, and the editor would lose the user's text to the last good version.
      const parsed = parsePolicy(source, engine.policy.file);
      if (!parsed.ok) return { saved: false, errors: policyErrors(parsed.errors) };
      // The same write as a client config's: fsync'd, the file's mode kept, a symlinked
      // policy (a dotfile repo) written through to its target.
      atomicWrite(engine.policy.file, source);
      return { saved: true };
    },
    async setEmergency({ enabled }) {
      engine.setEmergencyWriteApproval(enabled, ACTOR);
    },
    async auditQuery({ sql }) {
      try {
        return await runReadOnlyQueryIsolated(engine.paths.database, sql);
      } catch (error) {
        throw new DashboardInputError((error as Error).message);
      }
    },
  };
}

/** Calls one service method with an argument already validated against ARG_SCHEMAS. */
export function callService<M extends ApiMethod>(service: DashboardService, method: M, arg: unknown): Promise<ApiResult<M>> {
  const fn = service[method] as (arg: unknown) => Promise<ApiResult<M>>;
  return fn(arg);
}

function pendingLaunch(pending: LaunchFingerprint | null): { pending: string | null; pendingDigest: string | null } {
  return pending ? { pending: launchText(pending), pendingDigest: launchDigest(pending) } : { pending: null, pendingDigest: null };
}

