import { chmodSync, rmSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import type { Engine } from '../engine.js';
import { createLineSplitter } from '../jsonrpc/line-splitter.js';
import { manifestKey } from '../pins/manifest-keys.js';
import { listedFromOf } from '../pins/first-sight-listings.js';
import { withoutLoginTokens } from '../identity/oauth-secrets.js';
import { pinnedRemote, shownFingerprint, type LaunchFingerprint } from '../registry/registry.js';
import type { EngineMessage, ShimMessage } from './protocol.js';
import { argWord } from '../shell-word.js';

interface ShimSession {
  socket: Socket;
  server: string | null;
  client: string;
  sessionId: string;
  actorId: string;
  cancels: Map<number, () => void>;
  /** The launch line it was admitted with: a replace that drops it stops the session. */
  launch: LaunchFingerprint | null;
  /** The MCP client process it was launched by: the shims that share taint. Null: shares with none. */
  family: string | null;
}

export interface ShimServer {
  close(): Promise<void>;
  connectedSessions(): number;
}

/** Whether a released result held for `heldFor` answers a session of `client` (null: held before clients were kept). */
const sameClient = (heldFor: string | null, client: string) => heldFor === null || heldFor === client;

function send(socket: Socket, message: EngineMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

/** About V8's longest string (2^29 chars): a longer line could not even be decoded. */
const MAX_SHIM_MESSAGE_BYTES = 512 * 1024 * 1024;

/** Listens on the engine's local socket (0600: only this user's shims may connect). */
export async function startShimServer(engine: Engine, socketPath: string, maxMessageBytes = MAX_SHIM_MESSAGE_BYTES): Promise<ShimServer> {
  if (process.platform !== 'win32') rmSync(socketPath, { force: true });
  const sessions = new Set<ShimSession>();
  const state = { closing: false };
  const server: Server = createServer((socket) => handleConnection(engine, socket, sessions, maxMessageBytes, state));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  if (process.platform !== 'win32') chmodSync(socketPath, 0o600);

  const offSnapshot = engine.onSnapshot((snapshot) => {
    for (const session of sessions) if (session.server) send(session.socket, { t: 'snapshot', snapshot });
  });
  const offAccepted = engine.onPinsAccepted((name, tools) => {
    for (const session of sessions) if (session.server === name) send(session.socket, { t: 'unblocked', tools });
  });
  // A released result answers the retry of the call it withheld: only in the sessions of that
  // server and that client (another client's same call gets a fresh answer from the server).
  const offReleased = engine.quarantine.onReleased((released) => {
    for (const session of sessions) if (session.server === released.server && sameClient(released.client, session.client)) send(session.socket, { t: 'released', ...released });
  });
  const offRevoke = engine.onServerRevoked((name, reason) => {
    for (const session of sessions) {
      if (session.server === name) send(session.socket, { t: 'refused', reason, hint: `mcp-firewall registry enable ${argWord(name)}` });
    }
  });
  const offReplaced = engine.onLaunchesReplaced((name, stillApproved) => {
    for (const session of sessions) {
      if (session.server !== name || !session.launch || stillApproved(session.launch)) continue;
      const reason = `server '${name}' was approved with another launch line in place of the one this session runs (${shownFingerprint(session.launch)})`;
      send(session.socket, { t: 'refused', reason, hint: 'restart the MCP client: it launches the approved line' });
    }
  });

  return {
    connectedSessions: () => sessions.size,
    close: () =>
      new Promise((resolve) => {
        offSnapshot();
        offRevoke();
        offReplaced();
        offAccepted();
        offReleased();
        state.closing = true;
        for (const session of sessions) session.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function handleConnection(engine: Engine, socket: Socket, sessions: Set<ShimSession>, maxMessageBytes: number, state: { closing: boolean }): void {
  const session: ShimSession = { socket, server: null, client: 'unknown', sessionId: '', actorId: '', cancels: new Map(), family: null, launch: null };
  sessions.add(session);
  const splitter = createLineSplitter((line) => {
    // Hung up on (an oversized line): what followed it in the same chunk is not read either.
    if (socket.destroyed) return;
    let message: ShimMessage;
    try {
      message = JSON.parse(line.toString('utf8')) as ShimMessage;
    } catch {
      socket.destroy();
      return;
    }
    try {
      if (message.t === 'taint') shareTaint(sessions, session, message);
      else handleMessage(engine, session, message);
      if (message.t === 'delivered') tellTaken(sessions, session, message.id);
    } catch (error) {
      // An engine fault (a database error, say) answers that one request with a refusal,
      // never with an allow, and leaves the engine and the other sessions running.
      refuseAfterFault(session, message, (error as Error).message);
    }
  }, {
    // A shim's largest message carries a result of at most 64 MiB for the quarantine, JSON-escaped
    // inside it (up to 6x for control characters); a line longer than that is no shim of ours,
    // and must not grow the engine without bound.
    maxLineBytes: maxMessageBytes,
    onExceeded: () => socket.destroy(),
  });
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    sessions.delete(session);
    // The engine stopping hangs up on shims that live on and resume with the next one, writing
    // to their spool file meanwhile: theirs is not finished (the next start folds it, spool.ts).
    if (session.sessionId && !state.closing) {
      try {
        engine.spool.finish(session.sessionId);
      } catch {
        // left in the spool: the next start folds it in
      }
    }
    // A shim that went away cannot run an approved call: stop waiting for its approvals.
    for (const cancel of session.cancels.values()) cancel();
    // Nor make another: its "session" answers end with it, rather than pile up in the engine
    // for as long as it runs. A shim that reconnects under the same id (the engine restarted
    // or the socket dropped) is asked again, which errs on the side of asking.
    if (session.sessionId) engine.approvals.forgetSession(session.sessionId);
  });
}

function handleMessage(engine: Engine, session: ShimSession, message: ShimMessage): void {
  const { socket } = session;
  switch (message.t) {
    case 'hello': {
      session.client = message.client;
      session.sessionId = message.sessionId;
      session.actorId = message.client;
      // The process alone: one client's wrap lines may name it differently (a file two clients
      // share names none), and sharing with a sibling asks more, never less.
      session.family = Number.isInteger(message.ppid) && message.ppid! > 1 ? String(message.ppid) : null;
      // Only an absolute path pins a program; anything else from a shim is no resolution.
      const resolved = typeof message.resolved === 'string' && isAbsolute(message.resolved) ? message.resolved : undefined;
      const fingerprint = { command: message.command, args: message.args, ...(resolved ? { resolved } : {}) };
      const admission = engine.registry.admit(message.server, fingerprint, message.client);
      const base = { event: 'registry' as const, client: message.client, actorId: session.actorId, serverName: message.server, sessionId: message.sessionId, method: 'spawn' };
      if (!admission.admitted) {
        engine.record({ ...base, decision: 'DENY', ruleId: `registry-${admission.kind}`, reason: admission.reason });
        // The refused line's digest: the approval pins this line, not one another config launches meanwhile.
        const launch = admission.launch ? ` --launch ${admission.launch}` : '';
        send(socket, { t: 'refused', reason: admission.reason, hint: `mcp-firewall registry ${admission.kind === 'disabled' ? 'enable' : 'approve'}${launch} ${argWord(message.server)}` });
        return;
      }
      session.server = message.server;
      session.launch = fingerprint;
      const started = message.resumed ? 'session resumed after an engine restart (the server kept running)' : 'registered server started';
      engine.record({ ...base, decision: 'ALLOW', reason: admission.pinnedNow ? `first run: pinned launch line ${shownFingerprint(fingerprint)}` : started });
      if (message.resumed) {
        // Its spool file is claimed now, not once the secrets are read: a keychain prompt can
        // outlast the orphans' grace (spool.ts), which would retire the file the shim still
        // writes to, rows written meanwhile with it.
        try {
          engine.spool.resume(message.sessionId);
        } catch {
          // the database: left to open() below, which refuses the session if it fails too
        }
      }
      engine.secretEnv(message.server).then(
        (all) => {
          const env = pinnedRemote(fingerprint) ? all : withoutLoginTokens(all);
          let spool: string;
          try {
            spool = engine.spool.open(message.sessionId, message.server, message.client);
          } catch (error) {
            // No spool, no audit: the server does not start.
            session.server = null;
            send(socket, { t: 'refused', reason: `cannot open the audit spool: ${(error as Error).message}`, hint: 'check the data dir is writable' });
            return;
          }
          send(socket, { t: 'welcome', snapshot: engine.snapshot(), env, spool });
          // Results released while this server was not running reach the retry in this session.
          engine.quarantine.releasedFor(message.server).then(
            (items) => items.filter((item) => sameClient(item.client, message.client)).forEach((item) => send(socket, { t: 'released', ...item })),
            // The quarantine key could not be loaded: none of them can be delivered, so say why.
            (error: Error) => engine.record({ ...base, event: 'result', decision: 'ERROR', method: null, ruleId: 'output-quarantine', reason: `released results of '${message.server}' not delivered: ${error.message}` }),
          );
        },
        (error: Error) => {
          // A server whose credentials cannot be read would start half-configured: refuse it.
          const reason = `cannot read the secrets of '${message.server}' from the OS keychain: ${error.message}`;
          engine.record({ ...base, decision: 'DENY', ruleId: 'keychain-unavailable', reason });
          session.server = null;
          send(socket, { t: 'refused', reason, hint: 'unlock the OS keychain, then restart the server' });
        },
      );
      return;
    }
    case 'decide': {
      if (!session.server) {
        send(socket, { t: 'verdict', rid: message.rid, decision: 'DENY', ruleId: null, reason: 'session was not admitted', approvalId: null, constraints: {} });
        return;
      }
      const { rid } = message;
      // Server and session as admitted: a session id named in the message could be another's, and its "session" grants then cover this call.
      const pending = engine.gate.decide({ ...message.call, server: session.server, sessionId: session.sessionId }, session.actorId, (text) => send(socket, { t: 'progress', rid, message: text }));
      session.cancels.set(rid, pending.cancel);
      pending.verdict.then(
        (verdict) => {
          session.cancels.delete(rid);
          send(socket, { t: 'verdict', rid, ...verdict });
        },
        (error: Error) => {
          session.cancels.delete(rid);
          send(socket, { t: 'verdict', rid, decision: 'DENY', ruleId: null, reason: `engine error: ${error.message}`, approvalId: null, constraints: {} });
        },
      );
      return;
    }
    case 'cancel':
      session.cancels.get(message.rid)?.();
      return;
    case 'quarantine': {
      const { rid } = message;
      if (!session.server) {
        send(socket, { t: 'nack', rid, error: 'session was not admitted' });
        return;
      }
      engine.quarantine
        .hold({ sessionId: session.sessionId, client: session.client, server: session.server, tool: message.tool, argsDigest: message.argsDigest, findings: message.findings }, message.payload, session.actorId)
        .then((id) => send(socket, { t: 'held', rid, id }), (error: Error) => send(socket, { t: 'nack', rid, error: error.message }));
      return;
    }
    case 'delivered':
      engine.quarantine.delivered(message.id);
      return;
    case 'manifest': {
      // Fail closed: a session the engine did not admit sees no tools at all.
      const blocked = session.server
        ? engine.reviewManifest({ server: session.server, client: session.client, sessionId: session.sessionId }, message.kind, message.items, listedFromOf(message))
        : Object.fromEntries(message.items.map((item) => [manifestKey(message.kind, (item ?? {}) as Record<string, unknown>), 'session was not admitted']));
      send(socket, { t: 'manifestVerdict', rid: message.rid, blocked });
      return;
    }
  }
}

/**
 * Fingerprints of what one shim read from an untrusted tool go to the other admitted shims
 * launched by the same client process: the model that read a page through one server writes
 * through another (guard/taint.ts). Only the engine sees them pass; nothing is stored.
 */
function shareTaint(sessions: Set<ShimSession>, from: ShimSession, message: Extract<ShimMessage, { t: 'taint' }>): void {
  if (!from.server || from.family === null || typeof message.hashes !== 'string') return;
  const source = `${from.server}/${String(message.tool)}`;
  for (const session of sessions) {
    if (session !== from && session.server && session.family === from.family) send(session.socket, { t: 'taint', source, hashes: message.hashes });
  }
}

/** A released result one session delivered is withdrawn from the server's other sessions: it answers one retry. */
function tellTaken(sessions: Set<ShimSession>, from: ShimSession, id: string): void {
  if (!from.server || typeof id !== 'string') return;
  for (const session of sessions) if (session !== from && session.server === from.server) send(session.socket, { t: 'releaseTaken', id });
}

function refuseAfterFault(session: ShimSession, message: ShimMessage, fault: string): void {
  const reason = `engine error: ${fault}`;
  switch (message.t) {
    case 'hello':
      session.server = null;
      send(session.socket, { t: 'refused', reason, hint: 'see the MCP Firewall engine log' });
      return;
    case 'decide':
      send(session.socket, { t: 'verdict', rid: message.rid, decision: 'DENY', ruleId: null, reason, approvalId: null, constraints: {} });
      return;
    case 'quarantine':
    case 'manifest':
      send(session.socket, { t: 'nack', rid: message.rid, error: reason });
      return;
    default:
      return;
  }
}
