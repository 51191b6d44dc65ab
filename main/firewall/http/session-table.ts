import type { ServerResponse } from 'node:http';
import { ErrorCode } from '../jsonrpc/messages.js';
import type { ClientSession } from './client-session.js';
import { failRequest } from './client-stream.js';
import { createWindingDown, makeRoom, sessionCapMessage, type SessionCap } from './session-cap.js';

/**
 * The open sessions of one client transport, by id, each with the server it relays to, at
 * most `cap` to one server (session-cap.ts). Each transport keeps its own table, so
 * neither kind of id opens the other's sessions.
 */
export interface SessionTable<S extends ClientSession> {
  /** The open session `id` names, and its server. */
  find(id: string): { server: string; session: S } | undefined;
  /**
   * A new session to `server`, started by `start` (which hands `onEnd` to it) when the cap
   * leaves room, or an idle session was ended to make some; else `res` gets 503 with why.
   */
  open(res: ServerResponse, server: string, start: (onEnd: (ended: S) => void) => S): S | null;
  all(): S[];
}

export function createSessionTable<S extends ClientSession>(cap: SessionCap): SessionTable<S> {
  const byId = new Map<string, { server: string; session: S }>();
  const windingDown = createWindingDown();
  return {
    find: (id) => byId.get(id),
    open(res, server, start) {
      const others = [...byId.values()].filter((s) => s.server === server).map((s) => s.session);
      if (!makeRoom(others, cap, windingDown.count(server))) {
        failRequest(res, 503, ErrorCode.InvalidRequest, sessionCapMessage(server, cap));
        return null;
      }
      const session = start((ended) => {
        if (byId.delete(ended.id)) windingDown.add(server, ended);
      });
      byId.set(session.id, { server, session });
      return session;
    },
    all: () => [...byId.values()].map((s) => s.session),
  };
}
