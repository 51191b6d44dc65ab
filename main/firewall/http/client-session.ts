import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Backpressure } from './backpressure.js';
import { failRequest } from './client-stream.js';

/** What the interposer asks of a client session, whichever transport the client speaks. */
export interface ClientSession {
  readonly id: string;
  /**
   * Undefined while the session's relay takes more; else settles once it does. The
   * client's next POST is read only then, so a slow server holds the client back (its
   * body waits in its socket) instead of having its messages queue in the engine.
   */
  whenAccepting(): Backpressure;
  /** Since when the client has had nothing open (null while it has): idle sessions are ended. */
  idleSince(): number | null;
  /** Gone for the client at once (404 from now on); the relay winds down behind it. */
  end(): void;
  /** Settles once its relay, if one was started, has wound down: until then it holds its resources. */
  readonly finished: Promise<void>;
}

/** The session id is all a client shows to be in the session: unguessable, never the remote one. */
export function newSessionId(): string {
  return randomBytes(24).toString('base64url');
}

/** The JSON-RPC code MCP's transports give an unknown session (it happens to equal ErrorCode.FirewallUnavailable). */
const SESSION_NOT_FOUND = -32001;

/** An id that names no session (ended, or never ours): 404, as the spec says, so the client starts anew. */
export function refuseUnknownSession(res: ServerResponse): void {
  failRequest(res, 404, SESSION_NOT_FOUND, 'Session not found');
}
