import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, type JsonRpcMessage } from '../jsonrpc/messages.js';
import { refuseUnknownSession } from './client-session.js';
import { failRequest as fail } from './client-stream.js';
import { startLegacySession, type LegacySession } from './legacy-session.js';
import { ROUTE_KEY_PARAM } from '../route-key.js';
import { readPost } from './read-messages.js';
import type { RelayContext } from './relay-session.js';
import type { RemoteTarget } from './remote-target.js';
import type { SessionCap } from './session-cap.js';
import { createSessionTable } from './session-table.js';

/** How sessions reach the engine (each names its own server), and who decides admission. */
export interface LegacyEndpointOptions extends Omit<RelayContext, 'server'> {
  admit: (server: string, init: JsonRpcMessage) => { client: string; target: RemoteTarget };
  /** The route key the interposer checked: the messages URL handed to the client carries it too. */
  routeKey: string;
  /** As for Streamable HTTP: each session holds a stream, and once initialized a shim and upstream connections. */
  sessionCap: SessionCap;
}

/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05) under `/mcp/<server>`: `GET …/sse` opens
 * a session's stream, `POST …/messages?sessionId=ID` feeds it. The interposer has already
 * refused browsers (Origin) and foreign Hosts; sessions are its own, apart from Streamable
 * HTTP ones, so neither kind of id opens the other.
 */
export interface LegacyEndpoint {
  handle(req: IncomingMessage, res: ServerResponse, server: string, part: string, url: URL): Promise<void>;
  sessions(): LegacySession[];
}

const LEGACY_STREAM = 'sse';
const LEGACY_MESSAGES = 'messages';

export function createLegacyEndpoint(options: LegacyEndpointOptions): LegacyEndpoint {
  const { admit, routeKey, sessionCap, ...context } = options;
  const sessions = createSessionTable<LegacySession>(sessionCap);

  // A legacy session lives exactly as long as its stream, so none is ever idle: past the
  // cap a new one is refused. Uncapped, a local process opening streams without end grew
  // the engine by a session (and, after an initialize each, a shim) per stream.
  const open = (res: ServerResponse, server: string) =>
    void sessions.open(res, server, (onEnd) =>
      startLegacySession({
        ...context,
        server,
        stream: res,
        messagesPath: `/mcp/${encodeURIComponent(server)}/${LEGACY_MESSAGES}?${ROUTE_KEY_PARAM}=${encodeURIComponent(routeKey)}`,
        admit: (init) => admit(server, init),
        onEnd,
      }),
    );

  const post = async (req: IncomingMessage, res: ServerResponse, server: string, url: URL) => {
    const id = url.searchParams.get('sessionId');
    if (!id) return fail(res, 400, ErrorCode.InvalidRequest, `Bad Request: no sessionId; open the stream with GET /mcp/${encodeURIComponent(server)}/${LEGACY_STREAM} first`);
    const found = sessions.find(id);
    if (!found || found.server !== server) return refuseUnknownSession(res);
    const read = await readPost(req, res, found.session);
    if (read) found.session.post(read, res);
  };

  return {
    async handle(req, res, server, part, url) {
      if (part === LEGACY_STREAM && req.method === 'GET') {
        // EventSource always asks for an event stream; an <img> or a link does not, and must
        // not open sessions (it cannot read the id, but sessions cost an upstream each).
        if (!String(req.headers.accept ?? '').includes('text/event-stream')) return fail(res, 406, ErrorCode.InvalidRequest, 'Not Acceptable: GET …/sse is text/event-stream');
        return open(res, server);
      }
      if (part === LEGACY_MESSAGES && req.method === 'POST') return post(req, res, server, url);
      if (part !== LEGACY_STREAM && part !== LEGACY_MESSAGES) return fail(res, 404, ErrorCode.InvalidRequest, `no such endpoint '${url.pathname}'`);
      res.setHeader('allow', part === LEGACY_STREAM ? 'GET' : 'POST');
      fail(res, 405, ErrorCode.InvalidRequest, `method ${req.method} is not allowed here`);
    },
    sessions: () => sessions.all(),
  };
}
