import { z } from 'zod';
import { autoProtectSchema, pauseSchema, type AutoProtectView, type GatesView, type PauseChange } from './contract-status.js';

export * from './contract-status.js';

// The one API the dashboard talks to. Electron exposes it through the preload bridge
// (IPC, one channel per method); a browser gets the same shape over the control API.
// Argument schemas live here so both the IPC handlers and the HTTP routes validate
// with the same rules: the renderer is untrusted input either way.

export const activityQuerySchema = z.object({
  client: z.string().max(200).optional(),
  server: z.string().max(200).optional(),
  decision: z.string().max(40).optional(),
  /** Only rows newer than this audit id (live tail). */
  afterId: z.number().int().nonnegative().optional(),
  limit: z.number().int().min(1).max(500).optional(),
});
export const answerApprovalSchema = z.object({
  id: z.string().min(1).max(100),
  verdict: z.enum(['allow', 'deny']),
  scope: z.enum(['once', 'session', 'always']).optional(),
});
export const approvalIdSchema = z.object({ id: z.string().min(1).max(100) });
export const clientSelectorSchema = z.object({ client: z.string().min(1).max(100).optional() });
export const serverNameSchema = z.object({ name: z.string().min(1).max(200) });
/**
 * `launch`: the digest of the waiting launch line the page showed beside the button, or null
 * when it showed none; the engine refuses the approval when another line waits now.
 */
export const approveServerSchema = z.object({ name: z.string().min(1).max(200), launch: z.string().regex(/^[0-9a-f]{12}$/).nullable() });
export const serverEnabledSchema = z.object({ name: z.string().min(1).max(200), enabled: z.boolean() });
export const policySourceSchema = z.object({ source: z.string().max(1024 * 1024) });
export const emergencySchema = z.object({ enabled: z.boolean() });
export const auditSqlSchema = z.object({ sql: z.string().min(1).max(20_000) });
// A tool's name is the server's to choose: one the manifest pins hold must be reviewable
// whatever its length (the MCP spec asks for at most 128 characters; servers need not listen).
const TOOL_NAME_MAX = 4096;
export const serverToolSchema = z.object({ server: z.string().min(1).max(200), tool: z.string().min(1).max(TOOL_NAME_MAX).optional() });
export const heldToolSchema = z.object({ server: z.string().min(1).max(200), tool: z.string().min(1).max(TOOL_NAME_MAX) });
// The version the reviewer saw (HeldToolReview.digest): Accept pins it only while it is still the one held.
export const acceptPinSchema = heldToolSchema.extend({ digest: z.string().min(1).max(100) });
export const deployWindowSchema = z.discriminatedUnion('open', [
  z.object({ open: z.literal(true), ticket: z.string().trim().min(1, 'a deploy window needs a change ticket').max(200), minutes: z.number().int().min(1).max(24 * 60) }),
  z.object({ open: z.literal(false) }),
]);
export const quarantineIdSchema = z.object({ id: z.string().min(1).max(100) });
export const oauthServerSchema = z.object({ name: z.string().min(1).max(200) });

export type ActivityQuery = z.infer<typeof activityQuerySchema>;
export type AnswerApproval = z.infer<typeof answerApprovalSchema>;
export type ClientSelector = z.infer<typeof clientSelectorSchema>;
export type ServerTool = z.infer<typeof serverToolSchema>;
export type HeldToolRef = z.infer<typeof heldToolSchema>;
export type AcceptPin = z.infer<typeof acceptPinSchema>;
export type DeployWindowChange = z.infer<typeof deployWindowSchema>;
export type QuarantineId = z.infer<typeof quarantineIdSchema>;

export interface Overview {
  policyFile: string;
  emergencyWriteApproval: boolean;
  policyLoadedAt: string;
  pendingApprovals: number;
  /** Bumped on every queue change, so an answer elsewhere refreshes the page too. */
  approvalsVersion: number;
  registryVersion: string;
  lastActivityId: number;
  /** ISO time protection resumes; null when not paused. */
  pausedUntil: string | null;
  /** Ids of the detection gates paging now. */
  pagingGates: string[];
}

export interface ActivityRow {
  id: number;
  time: string;
  event: string;
  client: string | null;
  server: string | null;
  tool: string | null;
  method: string | null;
  actionClass: string | null;
  decision: string;
  ruleId: string | null;
  reason: string | null;
  approvalId: string | null;
  argsDigest: string | null;
  latencyMs: number | null;
}

export interface Approval {
  id: string;
  client: string;
  server: string;
  tool: string;
  actionClass: string;
  ruleId: string | null;
  reason: string;
  argsDigest: string;
  /** Pretty-printed and truncated by the engine: the approver needs to read them, not store them. */
  argumentsPreview: string;
  /** Whether the preview leaves part of the arguments out: `approvalArguments` has all of them. */
  argumentsCut: boolean;
  /** Characters of the complete arguments. */
  argumentsChars: number;
  /** Why only "Allow once" can be given (a guard holds the call for what the session is doing now); null when any scope can. */
  onlyOnce: string | null;
  requestedAt: string;
  expiresAt: string;
}

/** All of a pending call's arguments, for "Show all" before allowing. */
export interface ApprovalArguments {
  id: string;
  /** The arguments as the server is sent them (pretty-printed); cut only past a few MB. */
  text: string;
  totalChars: number;
  /** Characters after `text` left out (0: this is all of it); `mcp-firewall approvals show ID` prints them. */
  notShown: number;
}

export interface SecretRef {
  where: string;
  name: string;
  masked: string;
}

export interface ServerRow {
  client: string;
  clientName: string;
  file: string;
  scope: string;
  name: string;
  transport: string;
  status: 'protected' | 'registered' | 'shadow';
  launch: string | null;
  /** A name not in the registry: the launch line last refused under it, which Approve would pin, and its digest. */
  waiting: string | null;
  waitingDigest: string | null;
  secrets: SecretRef[];
  note: string | null;
}

export interface ServersView {
  servers: ServerRow[];
  errors: Array<{ client: string; file: string; message: string }>;
}

export interface EditOutcome {
  entries: Array<{ client: string; name: string; outcome: string; detail?: string }>;
  errors: Array<{ client: string; file: string; message: string }>;
}

export interface RegistryRow {
  name: string;
  enabled: boolean;
  launch: string | null;
  /** Other launch lines approved under the name (another client's or project's arguments). */
  moreLaunches: string[];
  /** A launch line refused as drift or proposed (auto-protect, a routed URL): it runs once a person approves it. */
  pending: string | null;
  /** Its digest, which Approve sends back: the line approved is the one shown. */
  pendingDigest: string | null;
  approvedAt: string;
  updatedAt: string;
}

export interface PolicyError {
  line: number;
  column: number;
  message: string;
}

export interface PolicyView {
  file: string;
  source: string;
  loadedAt: string;
  /** Errors of the file on disk when it was rejected (the engine runs on the last good one). */
  errors: PolicyError[];
}

export type PolicySaveResult = { saved: true } | { saved: false; errors: PolicyError[] };

export interface AuditResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

export interface PinnedToolRow {
  tool: string;
  digest: string;
  pinnedAt: string;
  description: string;
}

export interface HeldToolRow {
  tool: string;
  digest: string;
  /** drifted: differs from its pin; new: no pin yet; poisoned: a high-severity cue blocks it. */
  kind: 'drifted' | 'new' | 'poisoned';
  reason: string;
  firstSeen: string;
  /** When someone last chose "Keep blocked" for this version, from the audit trail. */
  keptBlockedAt: string | null;
}

export interface ServerManifest {
  server: string;
  pinned: PinnedToolRow[];
  held: HeldToolRow[];
}

export interface DeployWindowView {
  ticket: string;
  until: string;
  open: boolean;
}

export interface ManifestsView {
  servers: ServerManifest[];
  deployWindow: DeployWindowView | null;
}

/** One row of a side-by-side diff; null = no line on that side. */
export interface DiffRow {
  /** 'skipped': unchanged lines folded; 'cut': `hidden` rows left out of a diff too long to show. */
  tag: 'same' | 'changed' | 'removed' | 'added' | 'skipped' | 'cut';
  before: string | null;
  after: string | null;
  hidden?: number;
}

export interface FieldDiff {
  field: string;
  state: 'changed' | 'added' | 'removed';
  rows: DiffRow[];
}

export interface CueFinding {
  kind: string;
  severity: 'low' | 'medium' | 'high';
  path: string;
  excerpt: string;
  reason: string;
}

/** A string of the held tool cut at its findings, invisible characters spelled out. */
export interface MarkedText {
  path: string;
  segments: Array<{ text: string; cue?: number }>;
}

export interface HeldToolReview {
  server: string;
  tool: string;
  /** The held version this review shows; Accept sends it back. */
  digest: string;
  kind: HeldToolRow['kind'];
  reason: string;
  fields: FieldDiff[];
  unchanged: string[];
  cues: CueFinding[];
  /** Findings beyond the first ones, counted but neither listed nor marked. */
  cuesNotShown: number;
  marked: MarkedText[];
}

export interface QuarantineRow {
  id: string;
  heldAt: string;
  client: string | null;
  server: string;
  tool: string;
  status: 'held' | 'released' | 'delivered' | 'dropped';
  /** Types and places of what was found, never the values. */
  findings: Array<{ type: string; family: string; severity: string; path: string }>;
}

export interface QuarantinePreview {
  id: string;
  /** The held result with every finding masked; the raw value never leaves the engine. */
  masked: string;
  truncated: boolean;
}

/** A registry entry pinned to a URL, with its OAuth login (the `auth status` of it). */
export interface OAuthLoginRow {
  name: string;
  url: string;
  loggedIn: boolean;
  /** ISO 8601, or null when unknown (or not logged in). */
  expiresAt: string | null;
  expired: boolean | null;
  refreshToken: boolean;
  authorizationServer: string | null;
  /** Reads carry a read-only token narrowed to this scope (DESIGN §6); null when the login holds one token. */
  readScope: string | null;
  /** Why the login holds one token for reads and writes; null when it split (or is not known). */
  noSplit: string | null;
  /** The login split, but its read-only token is gone (removed by hand): reads go without a token until the next login. */
  readTokenMissing: boolean;
  /** A login started from the dashboard, waiting for the browser to come back. */
  pending: { authorizationUrl: string | null; startedAt: string } | null;
  /**
   * Why the last dashboard login failed after its URL was shown (timeout, refused), or why the
   * last dashboard logout could not revoke the tokens at the authorization server; cleared by the next.
   */
  lastError: string | null;
}

/** `auth logout` from the dashboard: what left the keychain, and what the authorization server said (RFC 7009). */
export interface OAuthLogoutResult {
  removed: string[];
  /** null when no token was held; `message` never carries a token. */
  revocation: { status: 'revoked' | 'unsupported' | 'failed'; message: string } | null;
}

export interface OAuthLoginStarted {
  authorizationUrl: string;
  /** The desktop shell already opened it in the system browser; a browser dashboard opens it itself. */
  opened: boolean;
}

/** Kinds of change the dashboard refreshes on. */
export type ChangeTopic = 'approvals' | 'activity' | 'registry' | 'policy' | 'gates';

export interface FirewallApi {
  overview(): Promise<Overview>;
  activity(query: ActivityQuery): Promise<ActivityRow[]>;
  approvals(): Promise<Approval[]>;
  answerApproval(answer: AnswerApproval): Promise<void>;
  /** All of a pending call's arguments (up to a few MB), where the preview cut them. */
  approvalArguments(args: { id: string }): Promise<ApprovalArguments>;
  servers(): Promise<ServersView>;
  protect(selector: ClientSelector): Promise<EditOutcome>;
  unprotect(selector: ClientSelector): Promise<EditOutcome>;
  registry(): Promise<RegistryRow[]>;
  approveServer(args: z.infer<typeof approveServerSchema>): Promise<void>;
  setServerEnabled(args: { name: string; enabled: boolean }): Promise<void>;
  policy(): Promise<PolicyView>;
  /** Validates without saving: inline errors while the user types. */
  checkPolicy(args: { source: string }): Promise<PolicyError[]>;
  savePolicy(args: { source: string }): Promise<PolicySaveResult>;
  setEmergency(args: { enabled: boolean }): Promise<void>;
  auditQuery(args: { sql: string }): Promise<AuditResult>;
  manifests(): Promise<ManifestsView>;
  /** The side-by-side diff and poisoning findings of a server's held tools (or one of them). */
  manifestDiff(args: ServerTool): Promise<HeldToolReview[]>;
  acceptPins(args: AcceptPin): Promise<{ accepted: string[] }>;
  /** Leaves the tool held (hidden, calls denied) and records that a person chose so, for the version reviewed. */
  keepBlocked(args: AcceptPin): Promise<void>;
  setDeployWindow(args: DeployWindowChange): Promise<{ deployWindow: DeployWindowView | null }>;
  quarantine(): Promise<QuarantineRow[]>;
  quarantinePreview(args: QuarantineId): Promise<QuarantinePreview>;
  releaseQuarantined(args: QuarantineId): Promise<void>;
  dropQuarantined(args: QuarantineId): Promise<void>;
  /** The five detection gates with two hours of history each. */
  gates(): Promise<GatesView>;
  /** Pauses protection for some minutes (nobody is asked), or resumes with null. */
  setPause(args: PauseChange): Promise<{ pausedUntil: string | null }>;
  autoProtect(): Promise<AutoProtectView>;
  setAutoProtect(args: { enabled: boolean }): Promise<AutoProtectView>;
  /** Every server pinned to a URL and its OAuth login; fails when the engine has no keychain. */
  oauthLogins(): Promise<OAuthLoginRow[]>;
  /** Starts `auth login NAME` in the engine; resolves with the URL to open, the login goes on until the browser comes back. */
  startOAuthLogin(args: { name: string }): Promise<OAuthLoginStarted>;
  /** `auth logout NAME`: the OAuth secrets removed (none when there was no login). */
  oauthLogout(args: { name: string }): Promise<OAuthLogoutResult>;
  /** Calls back on every change of a topic; returns the unsubscribe function. */
  onChange(listener: (topic: ChangeTopic) => void): () => void;
}

/** IPC channel per method; the preload maps each to one ipcRenderer.invoke, nothing generic. */
export const CHANNELS = {
  overview: 'fw:overview',
  activity: 'fw:activity',
  approvals: 'fw:approvals',
  answerApproval: 'fw:approvals:answer',
  approvalArguments: 'fw:approvals:arguments',
  servers: 'fw:servers',
  protect: 'fw:servers:protect',
  unprotect: 'fw:servers:unprotect',
  registry: 'fw:registry',
  approveServer: 'fw:registry:approve',
  setServerEnabled: 'fw:registry:enabled',
  policy: 'fw:policy',
  checkPolicy: 'fw:policy:check',
  savePolicy: 'fw:policy:save',
  setEmergency: 'fw:policy:emergency',
  auditQuery: 'fw:audit:query',
  manifests: 'fw:manifests',
  manifestDiff: 'fw:manifests:diff',
  acceptPins: 'fw:manifests:accept',
  keepBlocked: 'fw:manifests:keep-blocked',
  setDeployWindow: 'fw:manifests:window',
  quarantine: 'fw:quarantine',
  quarantinePreview: 'fw:quarantine:preview',
  releaseQuarantined: 'fw:quarantine:release',
  dropQuarantined: 'fw:quarantine:drop',
  gates: 'fw:gates',
  setPause: 'fw:protection:pause',
  autoProtect: 'fw:clients:auto-protect',
  setAutoProtect: 'fw:clients:auto-protect:set',
  oauthLogins: 'fw:oauth',
  startOAuthLogin: 'fw:oauth:login',
  oauthLogout: 'fw:oauth:logout',
} as const satisfies Record<Exclude<keyof FirewallApi, 'onChange'>, string>;

export const CHANGE_EVENT = 'fw:changed';

/** Argument schema per channel (undefined = no argument). */
export const ARG_SCHEMAS = {
  overview: undefined,
  activity: activityQuerySchema,
  approvals: undefined,
  answerApproval: answerApprovalSchema,
  approvalArguments: approvalIdSchema,
  servers: undefined,
  protect: clientSelectorSchema,
  unprotect: clientSelectorSchema,
  registry: undefined,
  approveServer: approveServerSchema,
  setServerEnabled: serverEnabledSchema,
  policy: undefined,
  checkPolicy: policySourceSchema,
  savePolicy: policySourceSchema,
  setEmergency: emergencySchema,
  auditQuery: auditSqlSchema,
  manifests: undefined,
  manifestDiff: serverToolSchema,
  acceptPins: acceptPinSchema,
  keepBlocked: acceptPinSchema,
  setDeployWindow: deployWindowSchema,
  quarantine: undefined,
  quarantinePreview: quarantineIdSchema,
  releaseQuarantined: quarantineIdSchema,
  dropQuarantined: quarantineIdSchema,
  gates: undefined,
  setPause: pauseSchema,
  autoProtect: undefined,
  setAutoProtect: autoProtectSchema,
  oauthLogins: undefined,
  startOAuthLogin: oauthServerSchema,
  oauthLogout: oauthServerSchema,
} as const;

export type ApiMethod = keyof typeof CHANNELS;
/** The methods' one argument each (every method takes at most one plain object). */
export type ApiArgs<M extends ApiMethod> = Parameters<FirewallApi[M]>;
export type ApiResult<M extends ApiMethod> = Awaited<ReturnType<FirewallApi[M]>>;
