import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { userInfo } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { createLineSplitter } from '../jsonrpc/line-splitter.js';
import { sniffResultId, SNIFF_MIN_BYTES } from '../jsonrpc/result-sniff.js';
import { detect, isCleanLine, redactText } from '../output/index.js';
import type { AuditEntry } from '../audit/audit-log.js';
import { createRefusalLimiter } from '../audit/refusal-limiter.js';
import { batchSources, repeatedKey, repeatsRoutingKey, repeatsTopLevelKey } from '../jsonrpc/json-scan.js';
import { ErrorCode, errorResponse, idKey, isAmbiguous, isPlainValue, isRequest, notification, replyIdOf, writtenAsRead, type JsonRpcId, type JsonRpcMessage, type ReplyId } from '../jsonrpc/messages.js';
import type { ToolDescription } from '../policy/action-class.js';
import type { ActionClass } from '../policy/types.js';
import { compilePolicy, type CompiledPolicy } from '../policy/evaluate.js';
import { createPauseState } from '../policy/pause.js';
import { createSessionGuards } from '../guard/session-guards.js';
import { createTaintTracker } from '../guard/taint.js';
import { createCallPolicer, type PolicedCall } from './call-policer.js';
import { createManifestFilter, type LookedKind } from './manifest-filter.js';
import { heldRefusal, lookToWaitFor, needsPinDecision } from './held-requests.js';
import { labelText } from './label-text.js';
import { answerFailed } from './output-stage.js';
import { createClientAnswers } from './client-answers.js';
import { clientIdFromInfo, detectClientFromEnv } from './client-detect.js';
import { connectEngine, EngineSilent, type EngineLink } from './engine-link.js';
import { serveRefusal } from './fail-closed.js';
import { clientMessageLimit, serverMessageLimit, type OversizeContext } from './oversize.js';
import { createOrderedWriter, type OrderedWriter } from './ordered-writer.js';
import { createPeerWriter, type PeerWriter } from './peer-writer.js';
import { createServerMessages } from './server-messages.js';
import { newSessionId } from './session-id.js';
import { createSessionEra } from './session-era.js';
import { CallMap } from './call-table.js';

export interface ShimOptions {
  server: string;
  client?: string;
  command: string;
  args: string[];
  /**
   * Where `command` was found on `env`'s PATH (resolveOnPath): pinned beside the launch line
   * and what is spawned, so the program pinned is the one that runs. Unset: `command` is
   * spawned as it is (a path, Windows, the HTTP interposer's upstream).
   */
  resolvedCommand?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  input: Readable;
  output: Writable;
  /** Where the shim's own diagnostics go (the client's log), never the protocol channel. */
  log: (line: string) => void;
  socketPath: string;
  /**
   * The MCP client's process, when the shim runs as its child: the client's shims share what
   * they read from untrusted tools (taint), so text a web server returned taints a write sent
   * to another server. Unset for the HTTP interposer's in-engine sessions.
   */
  clientPid?: number;
  spawn?: typeof nodeSpawn;
  /**
   * A policed call is about to reach the server, with the class it was decided as (the HTTP
   * interposer picks its upstream credential by it) and the max_runtime_sec it runs under
   * (the interposer waits on a silent answer no less).
   */
  onDispatch?: (id: JsonRpcId, actionClass: ActionClass, maxRuntimeSec: number) => void;
  /** The policy's defaults.max_runtime_sec, once admitted and on every policy change (for requests the policy sets no limit for). */
  onDefaultRuntime?: (seconds: number) => void;
  /**
   * A message the server sent on its own leaves changed (redacted), as `to`: the HTTP
   * interposer knows it by its text (http/related-lines.ts) and follows it to the new one.
   */
  onRewritten?: (from: string, to: string) => void;
}

/** The methods whose requests are decided by policy; everything else passes untouched. */
const POLICED_METHODS = new Set(['tools/call']);

/**
 * A method that is `tools/call` once case, surrounding whitespace, U+FFFD (a byte that was
 * not UTF-8) or a NUL and what follows it are set aside: no known server dispatches it as a
 * call (the SDKs match exactly), but one that lowercases, trims, drops bad bytes or reads C
 * strings would run it unpoliced, so it is refused. Most methods fail on the first character.
 */
const LOOKS_POLICED = /^[\s\u0000\ufffd]*tools\/call(?:[\s\ufffd]*$|\u0000)/i;

export const NOT_RUNNING_MESSAGE =
  'MCP Firewall is not running, so this server was not started. Start it with `mcp-firewall serve` (or open the MCP Firewall app), then restart this server.';

/** How much of dropped server text is searched for secrets before its start is shown. */
const EXCERPT_CHECKED_CHARS = 16_384;

/**
 * The start of server text the shim drops, for the client's log and the audit row. It has
 * not been through the output stage, so what the detectors find is redacted first — in the
 * text's first 16 KB, not the excerpt alone: a secret cut off at the excerpt's end would not
 * be found in it (a PEM key is ~3 KB).
 */
function droppedExcerpt(text: string): string {
  const head = text.slice(0, EXCERPT_CHECKED_CHARS);
  return redactText(head, detect(head)).slice(0, 120);
}

export async function runShim(options: ShimOptions): Promise<number> {
  const toClient = createOrderedWriter(createPeerWriter(options.output));
  const sessionId = newSessionId();
  let client = options.client ?? detectClientFromEnv(options.env) ?? 'unknown';

  let link: EngineLink;
  try {
    link = await connectEngine(options.socketPath);
  } catch {
    options.log(`[mcp-firewall] ${NOT_RUNNING_MESSAGE}`);
    await serveRefusal(options.input, toClient, NOT_RUNNING_MESSAGE, { server: options.server, fix: 'mcp-firewall serve' });
    return 1;
  }
  let admission;
  try {
    admission = await link.hello({ server: options.server, client, command: options.command, args: options.args, ...(options.resolvedCommand ? { resolved: options.resolvedCommand } : {}), sessionId, pid: process.pid, ...(options.clientPid !== undefined ? { ppid: options.clientPid } : {}) });
  } catch (error) {
    link.close();
    const text = error instanceof EngineSilent ? `${error.message}, so this server was not started. Restart MCP Firewall (\`mcp-firewall serve\` or the app), then this server.` : NOT_RUNNING_MESSAGE;
    options.log(`[mcp-firewall] ${text}`);
    await serveRefusal(options.input, toClient, text, { server: options.server, fix: 'mcp-firewall serve' });
    return 1;
  }
  if (!admission.admitted) {
    link.close();
    const text = `MCP Firewall refused to start '${options.server}': ${admission.reason}. To allow it: ${admission.hint}`;
    options.log(`[mcp-firewall] ${text}`);
    await serveRefusal(options.input, toClient, text, { server: options.server, fix: admission.hint });
    return 1;
  }
  let policy: CompiledPolicy = compilePolicy(admission.snapshot.policy);
  options.onDefaultRuntime?.(policy.spec.defaultMaxRuntimeSec);
  let emergency = admission.snapshot.emergencyWriteApproval;
  // Kept by the monotonic clock: setting the clock back must not lengthen a pause (policy/pause.ts).
  const pause = createPauseState();
  pause.set(admission.snapshot.pausedUntil);
  link.onSnapshot((snapshot) => {
    policy = compilePolicy(snapshot.policy);
    options.onDefaultRuntime?.(policy.spec.defaultMaxRuntimeSec);
    emergency = snapshot.emergencyWriteApproval;
    pause.set(snapshot.pausedUntil);
  });

  // The program admitted, not whatever the PATH finds by the time the spawn looks; the
  // server still sees the command it was configured with as its argv[0].
  const child: ChildProcess = (options.spawn ?? nodeSpawn)(options.resolvedCommand ?? options.command, options.args, {
    ...(options.resolvedCommand ? { argv0: options.command } : {}),
    // Keychain secrets win over the client's env: a stale plaintext copy left in a
    // client config must not shadow the rotated one.
    env: { ...options.env, ...admission.env },
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'inherit'],
    // Windows clients launch `npx`, which is a .cmd shim that only a shell can start.
    shell: process.platform === 'win32',
    windowsHide: true,
  });
  const toServer = createPeerWriter(child.stdin!);
  return relay({ options, link, child, toClient, toServer, sessionId, getPolicy: () => policy, getEmergency: () => emergency, getPausedUntil: () => pause.current(), getClient: () => client, setClient: (c) => (client = c) });
}

interface RelayParts {
  options: ShimOptions;
  link: EngineLink;
  child: ChildProcess;
  toClient: OrderedWriter;
  toServer: PeerWriter;
  sessionId: string;
  getPolicy: () => CompiledPolicy;
  getEmergency: () => boolean;
  getPausedUntil: () => string | null;
  getClient: () => string;
  setClient: (client: string) => void;
}

interface InFlight {
  /** The request's id as the client wrote it, for answers of ours. */
  id: ReplyId;
  method: string;
  call?: PolicedCall;
  /** For answers that carry content (resources/read, prompts/get): what was asked for, for the audit. */
  label?: string;
  /** For a list the pins check: the cursor it asked with (null: the first page), which tells a first listing's pages apart. */
  cursor?: string | null;
}

const MAX_ABANDONED = 1024;

/** The cursor a list request asked with: null for none (a first page); a cursor that is no string is never a first page (''). */
function cursorOf(params: unknown): string | null {
  const cursor = (params as { cursor?: unknown } | null | undefined)?.cursor;
  if (cursor === undefined || cursor === null) return null;
  return typeof cursor === 'string' ? cursor : '';
}

/** What the server says changed, and the firewall's look it starts (resources/list_changed covers templates). */
const LIST_CHANGED = new Map<unknown, LookedKind>([
  ['notifications/tools/list_changed', 'tools'],
  ['notifications/prompts/list_changed', 'prompts'],
  ['notifications/resources/list_changed', 'resourceTemplates'],
]);

/** Requests whose answers bring content to the model, so they pass the output stage too. */
const CONTENT_METHODS: Record<string, (params: Record<string, unknown>) => string> = {
  'resources/read': (params) => labelText(params.uri),
  'prompts/get': (params) => `prompt:${labelText(params.name)}`,
  // A tool call run as a task answers here, not in its tools/call: the same result, the same stage.
  'tasks/result': (params) => `task:${labelText(params.taskId)}`,
  'tasks/get': (params) => `task:${labelText(params.taskId)}`,
  'tasks/list': () => 'tasks',
  // A cancelled task comes back whole, free-text statusMessage included.
  'tasks/cancel': (params) => `task:${labelText(params.taskId)}`,
  // Completion values are the server's strings, shown to the user to pick into a prompt or uri.
  'completion/complete': (params) => {
    const ref = (params.ref ?? {}) as { name?: unknown; uri?: unknown };
    return `completion:${labelText(ref.name ?? ref.uri)}`;
  },
  // Names and descriptions the client shows, and passes to the model as hints, for resources
  // nothing pins (tool, prompt and template listings are checked by the manifest pins).
  'resources/list': () => 'resources',
};

function relay(parts: RelayParts): Promise<number> {
  const { options, link, child, toClient, toServer } = parts;
  const tools = new Map<string, ToolDescription>();
  const era = createSessionEra();
  // protocolEvent is defined below; the filter calls it only once messages flow.
  const manifest = createManifestFilter({
    server: options.server, link, toClient, toServer, tools, protocolEvent: (reason) => protocolEvent(reason), envelope: era.envelope,
    clientIdInUse: (id) => {
      const key = idKey(id);
      return inFlight.has(key) || waiting.has(key) || abandoned.has(key);
    },
  });
  const inFlight = new CallMap<string, InFlight>();
  // Calls the firewall timed out: the client has its error, so a late answer is dropped.
  const abandoned = new Set<string>();
  /** Forgets a request whose answer nobody waits for any more; its late answer is dropped. */
  const abandon = (key: string) => {
    inFlight.delete(key);
    abandoned.add(key);
    // Bounded: a server that never answers such requests must not grow the shim forever.
    if (abandoned.size > MAX_ABANDONED) abandoned.delete(abandoned.values().next().value!);
  };
  // Requests held back for the firewall's own look (tools/call, prompts/get, resources/read, completion/complete: manifest.deferCall), by id,
  // with the time each arrived. Their ids are taken as those in flight are: a second request
  // under one is refused, not sent on and answered as the call's. A cancel drops the call.
  const waiting = new Map<string, { msg: JsonRpcMessage; text: string; since: number }>();
  const user = safeUsername();
  let revoked: string | null = null;
  // What this session reads from untrusted tools, and what the client's other shims read (through the engine).
  const taint = createTaintTracker((tool, hashes) => link.shareTaint(tool, hashes));
  link.onTaint((source, hashes) => taint.absorb(source, hashes));
  const policer = createCallPolicer({
    server: options.server, sessionId: parts.sessionId, client: parts.getClient, actorId: () => `${user}@${parts.getClient()}`,
    policy: parts.getPolicy, emergency: parts.getEmergency, tools, heldReason: (tool) => manifest.heldReason('tools/call', tool),
    afterToolsLook: (run) => manifest.looking('tools') && manifest.deferCall('tools', run), link, toClient, toServer,
    guards: createSessionGuards(), taint, pausedUntil: parts.getPausedUntil, stateless: era.stateless,
    release: (call) => inFlight.delete(idKey(call.id)),
    ...(options.onDispatch ? { onDispatch: options.onDispatch } : {}),
    abandon: (call) => abandon(idKey(call.id)),
  });
  // What the server sends unasked (progress, log lines, task status, its own requests) meets the detectors too.
  const serverMessages = createServerMessages({
    link, toClient, thresholds: () => parts.getPolicy().spec.output,
    ...(options.onRewritten ? { onRewritten: options.onRewritten } : {}),
    onWithheldRequest: (id, why) => clientAnswers.withheld(id, why),
    row: (fields) => ({ ...fields, event: 'result', actorId: `${user}@${parts.getClient()}`, client: parts.getClient(), serverName: options.server, sessionId: parts.sessionId }),
  });
  // A server (or client) writing junk line after line, or asking for refusal after refusal,
  // would grow the append-only trail without end: 30 rows a minute of each kind, then one
  // that counts the rest. Apart, so a flood of junk never hides the refusals among it.
  const limitedRows = (what: string) =>
    createRefusalLimiter((entry) => link.event(entry), 30, 60_000, (skipped, first) => `${skipped} more ${what} in this session in the last minute (not recorded one by one; the first: ${first.reason})`, true);
  const junkRows = limitedRows('lines that were no message');
  const protocolRows = limitedRows('protocol errors');
  const protocolRow = (reason: string): AuditEntry => ({ event: 'protocol', decision: 'ERROR', serverName: options.server, client: parts.getClient(), sessionId: parts.sessionId, reason });
  const protocolEvent = (reason: string) => protocolRows.record(protocolRow(reason));
  const junkEvent = (reason: string) => junkRows.record(protocolRow(reason));
  // The client's answers to the server's own requests leave through the argument DLP (see client-answers.ts).
  const clientAnswers = createClientAnswers({
    server: options.server, sessionId: parts.sessionId, client: parts.getClient, actorId: () => `${user}@${parts.getClient()}`,
    policy: parts.getPolicy, emergency: parts.getEmergency, pausedUntil: parts.getPausedUntil, link, toClient, toServer, protocolEvent,
  });

  /** Fails one request in flight: the client gets `reason`, a tool call its audit row. */
  const failPending = (key: string, reason: string): boolean => {
    const entry = inFlight.get(key);
    if (!entry) return false;
    inFlight.delete(key);
    if (entry.call) policer.abort(entry.call, reason);
    else toClient.send(errorResponse(entry.id, ErrorCode.UpstreamFailed, reason));
    return true;
  };
  const oversize: OversizeContext = { server: options.server, toClient, toServer, failPending: (id, reason) => failPending(idKey(id), reason), protocolEvent };

  const fromClient = createLineSplitter((raw) => {
    let parsed: unknown;
    let text: string;
    try {
      text = raw.toString('utf8');
      parsed = JSON.parse(text);
    } catch {
      toClient.send(errorResponse(null, ErrorCode.ParseError, 'Parse error: MCP Firewall received a message that is not valid JSON'));
      junkEvent('client sent invalid JSON');
      return;
    }
    // JSON.parse keeps the last of a repeated key, a server's parser may keep the first: the
    // method, tool or arguments decided on and audited here would not be the ones it runs.
    const repeated = repeatedKey(text);
    if (repeated !== null) return refuseRepeatedKey(parsed, text, repeated);
    if (Array.isArray(parsed)) return checkBatch(parsed, raw, text);
    if (!parsed || typeof parsed !== 'object') {
      toClient.send(errorResponse(null, ErrorCode.InvalidRequest, 'Invalid Request: a JSON-RPC message must be an object'));
      junkEvent('client sent JSON that is not a message object');
      return;
    }
    checkClientMessage(parsed as JsonRpcMessage, raw, text);
  }, clientMessageLimit(oversize));

  /** handleBatch, where a bug of ours neither passes the batch on unchecked nor kills the session. */
  function checkBatch(batch: unknown[], raw: Buffer, text: string): void {
    try {
      handleBatch(batch, raw, text);
    } catch (error) {
      // Members already handled keep their answers; the client hears of the rest.
      toClient.send(errorResponse(null, ErrorCode.InternalError, `MCP Firewall could not check a batch: ${(error as Error).message}`));
      protocolEvent(`internal error on a client batch: ${(error as Error).message}`);
    }
  }

  /** handleClientMessage, where a bug of ours neither passes the message on unchecked nor kills the session. */
  function checkClientMessage(msg: JsonRpcMessage, raw: Buffer, text: string): void {
    try {
      handleClientMessage(msg, raw, text);
    } catch (error) {
      if (isRequest(msg)) toClient.send(errorResponse(replyIdOf(msg.id ?? null, text), ErrorCode.InternalError, `MCP Firewall could not check this request: ${(error as Error).message}`));
      protocolEvent(`internal error on a client message: ${(error as Error).message}`);
    }
  }

  /** Refuses a message (or batch) whose keys repeat, answering each request in it; nothing of it reaches the server. */
  function refuseRepeatedKey(parsed: unknown, text: string, key: string): void {
    const members = Array.isArray(parsed) ? parsed : [parsed];
    const sourceOf = Array.isArray(parsed) ? batchSources(text, parsed) : () => text;
    const named = JSON.stringify(key.slice(0, 64));
    members.forEach((m, index) => {
      if (!m || typeof m !== 'object' || !isRequest(m as JsonRpcMessage)) return;
      const reply = replyIdOf((m as JsonRpcMessage).id ?? null, sourceOf(index));
      toClient.send(errorResponse(reply, ErrorCode.InvalidRequest, `Invalid Request: MCP Firewall refused a message that repeats the key ${named} in one object (servers' parsers differ on which one counts); it was not sent to the server`));
    });
    protocolEvent(`client sent a message that repeats the key ${named}; refused`);
  }

  /** Queues a request behind the firewall's look at `kind` under way; it is taken up again when the look ends. */
  function deferUntilLooked(kind: LookedKind, key: string, msg: JsonRpcMessage, raw: Buffer, text: string): void {
    const queued = { msg, text, since: Date.now() };
    manifest.deferCall(kind, () => {
      // Cancelled while it waited (or its id taken by a later call after a cancel): dropped.
      if (waiting.get(key) !== queued) return;
      waiting.delete(key);
      checkClientMessage(msg, raw, text);
    });
    waiting.set(key, queued);
  }

  /**
   * Remembers a request on its way to the server, with what its answer needs (see
   * CONTENT_METHODS); false when it need not go: a released quarantined answer answers it.
   */
  function track(msg: JsonRpcMessage, text: string): boolean {
    const id = replyIdOf(msg.id ?? null, text);
    const method = String(msg.method);
    // Own keys only: a method named `constructor` or `toString` is no content method.
    const labelOf = Object.hasOwn(CONTENT_METHODS, method) ? CONTENT_METHODS[method] : undefined;
    const label = labelOf?.((msg.params ?? {}) as Record<string, unknown>);
    if (label !== undefined && policer.answerReleased(method, label, id)) return false;
    if (label !== undefined) inFlight.set(idKey(id), { id, method, label });
    else if (manifest.reviews(method)) inFlight.set(idKey(id), { id, method, cursor: cursorOf(msg.params) });
    else inFlight.set(idKey(id), { id, method });
    return true;
  }

  /** Whether a request's id is used: by a request in flight, one whose late answer may come, one queued, or one of the firewall's own lists. */
  function idTaken(id: JsonRpcMessage['id']): boolean {
    const key = idKey(id ?? null);
    return inFlight.has(key) || abandoned.has(key) || waiting.has(key) || manifest.isOwnId(id);
  }

  function handleClientMessage(msg: JsonRpcMessage, raw: Buffer, text: string): void {
    if (revoked !== null) {
      if (!isRequest(msg)) return;
      // Calls to a contained server are attempts all the same: audited, though nothing is asked of the policy.
      if (POLICED_METHODS.has(msg.method as string)) policer.recordStopped(msg, text, revoked);
      toClient.send(errorResponse(replyIdOf(msg.id ?? null, text), ErrorCode.FirewallUnavailable, revoked));
      return;
    }
    if (isAmbiguous(msg)) {
      // Answered if it has an id a client could match (a server would read it its own way).
      if (msg.id !== undefined && msg.id !== null) toClient.send(errorResponse(replyIdOf(msg.id, text), ErrorCode.InvalidRequest, 'Invalid Request: MCP Firewall refused a message whose method is not a non-empty string or that also carries a result or an error (servers read such a message differently); it was not sent to the server'));
      protocolEvent('client sent a message whose method is not a non-empty string, or with a result or an error beside it; refused');
      return;
    }
    if (typeof msg.method === 'string' && !POLICED_METHODS.has(msg.method) && LOOKS_POLICED.test(msg.method)) {
      const named = JSON.stringify(msg.method.slice(0, 64));
      if (isRequest(msg)) toClient.send(errorResponse(replyIdOf(msg.id ?? null, text), ErrorCode.InvalidRequest, `Invalid Request: MCP Firewall refused the method ${named}, which a lenient server could run as tools/call; it was not sent to the server`));
      protocolEvent(`client sent the method ${named}, near tools/call; refused`);
      return;
    }
    if (isRequest(msg)) {
      const method = msg.method as string;
      // Ids must be unique among requests in flight (JSON-RPC; MCP: never reused in a
      // session). Two requests under one id could not be told apart when answered: a call's
      // result would be judged and audited as the other's, or skip the output stage's call
      // path. Nor is an id whose call timed out taken again while its late answer may come,
      // nor one of the firewall's own lists unanswered (`mcp-firewall/N`): the server's answer
      // to the client would be taken as the list's, and the list's reach the client.
      const key = idKey(msg.id ?? null);
      if (idTaken(msg.id)) {
        toClient.send(errorResponse(replyIdOf(msg.id ?? null, text), ErrorCode.InvalidRequest, `Invalid Request: MCP Firewall refused a ${method} whose id is already used by a request in flight; it was not sent to the server`));
        protocolEvent(`client sent ${method} under an id already in flight; refused`);
        return;
      }
      if (method === 'initialize') {
        era.initialized();
        const name = (msg.params as { clientInfo?: { name?: unknown } } | undefined)?.clientInfo?.name;
        if (typeof name === 'string' && parts.getClient() === 'unknown') parts.setClient(clientIdFromInfo(name));
      } else if (era.observe(msg.params)) {
        // 2026-07-28: no initialize, no `initialized`. The first enveloped request names the
        // client and starts the session; a server/discover probe leaves that to its answer
        // (manifest-filter.ts), which tells what the server has, as initialize's did.
        const name = era.clientName();
        if (name !== undefined && parts.getClient() === 'unknown') parts.setClient(clientIdFromInfo(name));
        if (method !== 'server/discover') {
          era.ready();
          manifest.sessionReady();
        }
      }
      const id = msg.id ?? null;
      if (POLICED_METHODS.has(method)) {
        // Checked first so that a call, on the usual path, allocates nothing for the wait.
        if (manifest.looking('tools')) return deferUntilLooked('tools', key, msg, raw, text);
        const call = policer.handle(msg, raw, text);
        if (!call.finished) inFlight.set(key, { id: call.replyId, method, call });
        return;
      }
      // A prompt got (a URI read, a completion for either) from a list the client cached waits,
      // as a call does, for the firewall's own look: what it reaches may have changed since that list.
      const looked = lookToWaitFor(manifest, method, msg.params);
      if (looked) return deferUntilLooked(looked, key, msg, raw, text);
      const held = heldRefusal(manifest, method, msg.params);
      if (held) {
        toClient.send(errorResponse(replyIdOf(id, text), ErrorCode.PolicyDenied, held));
        return;
      }
      // 2026-07-28: a retried prompts/get, resources/read … carries the client's answers to the
      // server (its model's text among them), checked as the 2025 answers were (tools/call's are in the policer).
      if (!clientAnswers.retried(msg, text)) return;
      if (!track(msg, text)) return;
    } else if (POLICED_METHODS.has(msg.method as string)) {
      // A call without a usable id (null, or none at all: a notification) is never decided,
      // so it must not reach the server, where it could run unpoliced.
      if (msg.id === null) toClient.send(errorResponse(null, ErrorCode.InvalidRequest, `Invalid Request: MCP Firewall refused a ${String(msg.method)} without an id; it was not sent to the server`));
      protocolEvent(`client sent ${String(msg.method)} without an id; refused`);
      return;
    } else if (msg.method === 'notifications/cancelled') {
      const params = msg.params as { requestId?: string | number; reason?: unknown } | undefined;
      const key = idKey(params?.requestId ?? null);
      const queued = waiting.get(key);
      if (queued) {
        // Not yet decided, so not yet sent: it never will be, and the server need not hear of it.
        waiting.delete(key);
        // A prompts/get, resources/read or completion that waited has no call row to close.
        if (POLICED_METHODS.has(queued.msg.method as string)) policer.cancelUndecided(queued.msg, queued.text, typeof params?.reason === 'string' ? params.reason : '', queued.since);
        return;
      }
      const target = inFlight.get(key);
      if (target?.call?.cancelApproval) {
        // Still waiting for a human: withdraw it; the server never saw the call.
        target.call.finished = true;
        target.call.cancelApproval();
        abandon(key);
        return;
      }
      // The client has stopped waiting (and ignores a late answer, as the spec asks): forget
      // the request now, not at max_runtime_sec, when it would be audited as timed out.
      if (target?.call) {
        policer.cancel(target.call, typeof params?.reason === 'string' ? params.reason : '');
        // Approved but still waiting for the firewall's look at the tools: never sent, so the
        // server need not hear of it.
        if (!target.call.dispatched) return;
      } else if (target) abandon(key);
    } else if (!clientAnswers.pass(msg, raw, text)) return;
    if (!toServer.send(raw)) options.input.pause();
    if (msg.method === 'notifications/initialized') manifest.sessionReady();
  }

  // Batches were dropped from MCP in 2025-06-18 but older clients still send them. A batch
  // travels on whole unless a member needs a decision of ours before it leaves (a policed
  // call, a prompt or completion that may be held) or shows pinned things (listings, initialize): those
  // batches, and every batch once the server was stopped, take the single-message path
  // member by member. Members of a whole batch are tracked as single requests are, so their
  // answers meet the output stage whether the server answers as a batch or one by one.
  function handleBatch(batch: unknown[], raw: Buffer, text: string): void {
    const retrying = (m: unknown) => ((m as JsonRpcMessage | null)?.params as { inputResponses?: unknown } | null | undefined)?.inputResponses !== undefined;
    // Ids of the batch's requests, to tell one used twice in it.
    const ids = new Set<string>();
    const reusesId = (m: JsonRpcMessage) => {
      if (!isRequest(m)) return false;
      const key = idKey(m.id ?? null);
      if (ids.has(key) || idTaken(m.id)) return true;
      ids.add(key);
      return false;
    };
    // Whatever the single-message path refuses or acts on goes member by member, to meet it
    // there: a member that is no message object (a nested batch among them), a method near
    // tools/call, a request under an id in use (its answer would be taken for the other's,
    // and skip the output stage), a cancel (it may withdraw an approval asked), `initialized`
    // (it starts the firewall's own looks).
    const ownHandling = (m: unknown) => {
      if (!m || typeof m !== 'object' || Array.isArray(m)) return true;
      const message = m as JsonRpcMessage;
      const method = labelText(message.method);
      return manifest.isOwnId(message.id) || isAmbiguous(message) || LOOKS_POLICED.test(method) || method === 'notifications/cancelled' || method === 'notifications/initialized' || reusesId(message) || needsPinDecision(manifest, method) || manifest.reviews(method) || clientAnswers.awaited(m) || retrying(m) || (Object.hasOwn(CONTENT_METHODS, method) && policer.releasesWaiting());
    };
    // Each member's own bytes: re-serializing a parsed member would change what it says
    // (ids and numbers beyond 2^53, `\u00e9` escapes) on its way to the server.
    // Reads wait, as a batch, for the firewall's look at the templates (then a batch with no
    // read a held template could serve still travels whole, its answer one batch).
    const reads = (m: unknown) => (m as JsonRpcMessage | null)?.method === 'resources/read';
    if (revoked === null && batch.some(reads) && manifest.looking('resourceTemplates')) {
      manifest.deferCall('resourceTemplates', () => checkBatch(batch, raw, text));
      return;
    }
    const sourceOf = batchSources(text, batch);
    if (revoked === null && !batch.some(ownHandling)) {
      batch.forEach((m, index) => {
        if (m && typeof m === 'object' && isRequest(m)) track(m, isPlainValue((m as JsonRpcMessage).id) ? '' : sourceOf(index));
      });
      toServer.send(raw);
      return;
    }
    batch.forEach((m, index) => {
      if (!m || typeof m !== 'object' || Array.isArray(m)) {
        // What a server owes such a member (JSON-RPC 2.0 §6), and what it would have said.
        toClient.send(errorResponse(null, ErrorCode.InvalidRequest, 'Invalid Request: a member of a JSON-RPC batch must be an object'));
        junkEvent('client sent a batch member that is not a message object');
        return;
      }
      const memberText = sourceOf(index);
      checkClientMessage(m as JsonRpcMessage, Buffer.from(memberText), memberText);
    });
  }

  // A large answer whose result the firewall only scans (a tool result nobody fingerprints,
  // a resource, a prompt) is matched to its request by an id read from its edges and, when
  // the prefilter finds nothing in it, leaves without ever being parsed, saving a
  // JSON.parse of several µs per 10 KB. Anything the prefilter flags takes the full path,
  // where a line that is not valid JSON is dropped rather than passed on unjudged. Unparsed, a
  // line is walked once for its structure (a repeated top-level key, a value after the first):
  // the price is that a clean line whose brackets and strings are whole but whose values are
  // not (`tru`) reaches the client as the server sent it, for the client's parser to reject,
  // instead of being replaced by our error.
  function deliverUnparsed(raw: Buffer, text: string, repeatsKey: () => boolean): boolean {
    const id = sniffResultId(text);
    if (id === undefined || manifest.isOwnAnswer({ id })) return false;
    const key = idKey(id);
    const entry = inFlight.get(key);
    if (!entry || (entry.call ? entry.call.untrusted || !entry.call.dispatched : entry.label === undefined)) return false;
    // The id read from one edge must be the one every client reads: `{"id":5,…,"id":7,…}`
    // would finish call 5 here and reach a client as the answer to 7 (a listing the pins hold).
    if (repeatsKey() || !isCleanLine(text)) return false;
    inFlight.delete(key);
    // Only the audit's PASS / ERROR label depends on it; a result is an error when it says so.
    const failed = text.includes('"isError":true');
    if (entry.call) policer.finish(entry.call, { raw, text, failed, clean: true });
    else policer.inspect(entry.method, entry.label!, id, { raw, text, failed, clean: true });
    return true;
  }

  const fromServer = createLineSplitter((raw) => {
    // Decoded once: the output stage scans the same text the parser read.
    let text: string;
    let msg: JsonRpcMessage;
    // Read once per line, by the large-answer path or below, whichever asks first. The
    // large-answer path walks the whole structure: unparsed, the line must also be shown to be
    // one JSON value with nothing after it, which the quick look at "id" and "method" cannot.
    let repeats: boolean | undefined;
    const repeatsKey = () => (repeats ??= repeatsRoutingKey(text));
    const repeatsOrRunsOn = () => (repeats ??= repeatsTopLevelKey(text));
    try {
      text = raw.toString('utf8');
      if (raw.length >= SNIFF_MIN_BYTES && deliverUnparsed(raw, text, repeatsOrRunsOn)) return;
      msg = JSON.parse(text) as JsonRpcMessage;
    } catch {
      const excerpt = droppedExcerpt(raw.subarray(0, EXCERPT_CHECKED_CHARS).toString('utf8'));
      toClient.send(notification('notifications/message', { level: 'error', logger: 'mcp-firewall', data: `server '${options.server}' sent a line that is not JSON; dropped: ${excerpt}` }));
      junkEvent(`server sent invalid JSON: ${excerpt}`);
      return;
    }
    try {
      if (repeatsKey()) {
        // Routed and judged as JSON.parse read it (the last copy of a key); a client whose
        // parser keeps the first would read another id or method: it gets what was read.
        // (Inside the catch: JSON.stringify throws on nesting JSON.parse took.)
        text = writtenAsRead(msg, text);
        raw = Buffer.from(text);
        protocolEvent('server sent a message that repeats a top-level key; passed on as the firewall read it');
      }
      if (Array.isArray(msg)) handleServerBatch(msg as unknown[], raw, text);
      else handleServerMessage(msg, raw, text);
    } catch (error) {
      // Not passed on unjudged: a message our own handling failed on is dropped, and said so.
      const excerpt = droppedExcerpt(text);
      toClient.send(notification('notifications/message', { level: 'error', logger: 'mcp-firewall', data: `MCP Firewall could not handle a message from server '${options.server}'; dropped: ${excerpt}` }));
      protocolEvent(`could not handle a server message (${(error as Error).message}): ${excerpt}`);
    }
  }, serverMessageLimit(oversize));

  function handleServerMessage(msg: JsonRpcMessage, raw: Buffer, text: string): void {
    // Neither an answer (matched to the request it answers, or dropped) nor a request of the
    // server's (its id recorded): a client that reads `"method":null` beside a result as an
    // answer would take it for one nobody checked — a call still waiting for a person
    // reported done, a tool list the pins never saw.
    if (msg && typeof msg === 'object' && isAmbiguous(msg)) {
      const key = idKey(msg.id ?? null);
      const why = 'the server answered with a message that also names a method (or a method that is not a non-empty string); dropped';
      protocolEvent(`server sent a message whose method is not a non-empty string, or with a result or an error beside it (id ${key.slice(0, 64)}); dropped`);
      // The request it answers hears so, rather than wait for an answer that is not coming; a
      // call the server was never sent (waiting for a person) is not the server's to end.
      const entry = inFlight.get(key);
      if (entry && (!entry.call || entry.call.dispatched)) failPending(key, why);
      return;
    }
    const isResponse = msg && typeof msg === 'object' && msg.method === undefined && msg.id !== undefined;
    if (isResponse && manifest.isOwnAnswer(msg)) return manifest.ownAnswer(msg, text);
    if (isResponse) {
      const key = idKey(msg.id ?? null);
      const found = inFlight.get(key);
      if (!found && abandoned.delete(key)) return;
      // Every request of the client's is in flight until answered, so an answer to nothing
      // there is the server's invention (but see the null id below). Ids are easy to guess:
      // passed on, one under the id of a call still waiting for a person (or for the
      // firewall's look) would reach the client as that call's result, a write nobody
      // approved reported done. Dropped, counted.
      const entry = found?.call?.dispatched === false ? undefined : found;
      // Except an error under a null id: JSON-RPC's answer to a request the server could not
      // read, which answers no call and whose text the client needs. It leaves as what the
      // server sends on its own does: scanned, redacted if need be, no row when clean.
      if (!entry && msg.id === null && msg.error !== undefined) return void (serverMessages.pass(msg, raw, text) || child.stdout!.pause());
      if (!entry) return protocolEvent(`server sent an answer to ${found || waiting.has(key) ? 'a call not yet sent to it' : 'no request in flight'} (id ${key.slice(0, 64)}); dropped`);
      inFlight.delete(key);
      const answer = { raw, text, failed: answerFailed(msg), result: msg.result };
      if (entry.call) return policer.finish(entry.call, answer);
      if (entry.label !== undefined) return policer.inspect(entry.method, entry.label, msg.id ?? null, answer);
      if (manifest.review(entry.method, msg, raw, text, entry.cursor)) return;
      // The rest (an error, the answer to a ping or to an extension's method) is the server's
      // own text, as what it sends unasked is (a failed login may quote its token): one the
      // prefilter flags meets the detectors; a clean one passes as it came, unaudited.
      if (!isCleanLine(text)) return policer.inspect(entry.method, entry.method, msg.id ?? null, answer);
      if (!toClient.send(raw)) child.stdout!.pause();
      return;
    }
    // Refused (its id is taken, or too many wait): the server has its error, the client never sees it.
    if (!clientAnswers.asked(msg, text)) return;
    const changed = msg && typeof msg === 'object' ? LIST_CHANGED.get(msg.method) : undefined;
    if (changed) manifest.listChanged(changed);
    if (!serverMessages.pass(msg, raw, text)) child.stdout!.pause();
  }

  // A batch answering a batch the client sent whole (handleBatch) needs nothing of ours but
  // the output stage: it leaves together once that has read it all. Any other batch —
  // answering a call we police or a listing the pins check, or carrying the server's own
  // requests — is taken apart, so no member skips the path it would take alone.
  function handleServerBatch(batch: unknown[], raw: Buffer, text: string): void {
    // JSON-RPC answers and requests are objects: any other member is no message, and is
    // dropped (told, audited) whichever way the batch goes on; passed whole, it would reach
    // the client as the server wrote it.
    const isMember = (m: unknown): m is JsonRpcMessage => !!m && typeof m === 'object' && !Array.isArray(m);
    const members = batch.filter(isMember);
    const sourceOf = batchSources(text, batch);
    const plainAnswer = (m: JsonRpcMessage) => {
      const entry = m.method === undefined && m.id !== undefined ? inFlight.get(idKey(m.id)) : undefined;
      return entry !== undefined && !entry.call && !manifest.reviews(entry.method);
    };
    // Two answers under one id: only one can be the pending request's; taken apart, the other is unsolicited.
    const distinct = new Set(members.map((m) => idKey(m.id ?? null))).size === members.length;
    if (members.length === 0 || !distinct || !members.every(plainAnswer)) {
      // Taken apart by the members' own bytes, so each reaches the client as the server wrote it.
      batch.forEach((m, index) => {
        if (!isMember(m)) return dropNonMessage(m);
        const memberText = sourceOf(index);
        handleServerMessage(m, Buffer.from(memberText), memberText);
      });
      return;
    }
    const ids: ReplyId[] = [];
    for (const member of members) {
      const key = idKey(member.id!);
      ids.push(inFlight.get(key)!.id);
      inFlight.delete(key);
    }
    if (members.length < batch.length) {
      const kept: string[] = [];
      batch.forEach((m, index) => (isMember(m) ? kept.push(sourceOf(index)) : dropNonMessage(m)));
      text = `[${kept.join(',')}]`;
      raw = Buffer.from(text);
    }
    policer.inspect('batch', 'batch', ids, { raw, text, failed: false });
  }

  /** A server batch member that is no message object: the client hears of it, the audit gets a protocol row. */
  function dropNonMessage(member: unknown): void {
    const excerpt = droppedExcerpt(JSON.stringify(member));
    toClient.send(notification('notifications/message', { level: 'error', logger: 'mcp-firewall', data: `server '${options.server}' sent a batch member that is not a message; dropped: ${excerpt}` }));
    junkEvent(`server sent a batch member that is not a message: ${excerpt}`);
  }

  const failInFlight = (reason: string) => {
    for (const key of [...inFlight.keys()]) failPending(key, reason);
  };

  link.onRevoked((reason) => {
    revoked = `MCP Firewall stopped '${options.server}': ${reason}`;
    options.log(`[mcp-firewall] ${revoked}`);
    failInFlight(revoked);
    manifest.stop(revoked);
    child.kill('SIGTERM');
  });

  toClient.onDrain(() => child.stdout!.resume());
  toServer.onDrain(() => options.input.resume());
  options.input.on('data', (chunk: Buffer) => {
    toServer.batchThisTick();
    fromClient.push(chunk);
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    toClient.batchThisTick();
    fromServer.push(chunk);
  });

  return new Promise<number>((resolve) => {
    let clientGone = false;
    options.input.on('end', () => {
      clientGone = true;
      toServer.end();
      // A server that ignores EOF on stdin is asked to stop, then told to.
      setTimeout(() => child.kill('SIGTERM'), 2_000).unref();
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
    child.on('error', (error) => {
      const reason = `MCP Firewall could not start server '${options.server}': ${error.message}`;
      options.log(`[mcp-firewall] ${reason}`);
      link.event({ event: 'server', decision: 'ERROR', serverName: options.server, sessionId: parts.sessionId, reason });
    });
    child.on('close', (code, signal) => {
      const reason = `server '${options.server}' exited (${signal ? `signal ${signal}` : `code ${code}`}) before answering`;
      failInFlight(reason);
      if (!clientGone && revoked === null) {
        link.event({ event: 'server', decision: 'ERROR', serverName: options.server, sessionId: parts.sessionId, reason: `server exited unexpectedly (${signal ?? code})` });
      }
      const hangUp = () => {
        junkRows.close();
        protocolRows.close();
        serverMessages.close();
        link.close();
        toClient.end();
        resolve(code ?? (signal ? 1 : 0));
      };
      // A server the firewall stopped (disabled in the registry) stays "up" for the client,
      // answering every request with why, until the client closes it: exiting would make
      // clients restart it in a loop with no message.
      if (revoked !== null && !clientGone) options.input.once('end', hangUp);
      else hangUp();
    });
  });
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return 'user';
  }
}
