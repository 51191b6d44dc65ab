import type { ServerResponse } from 'node:http';
import { ErrorCode, isRequest, type JsonRpcMessage } from '../jsonrpc/messages.js';
import { newSessionId, refuseUnknownSession, type ClientSession } from './client-session.js';
import { failRequest, isOpen, openEventStream, writeEvent } from './client-stream.js';
import type { PostedMessages } from './read-messages.js';
import { startRelaySession, type RelayContext, type RelaySession } from './relay-session.js';
import type { RemoteTarget } from './remote-target.js';

export interface LegacySessionOptions extends RelayContext {
  /** The client's GET stream: the `endpoint` event, then every message for the client. */
  stream: ServerResponse;
  /** Where the client POSTs (`/mcp/NAME/messages?key=KEY`); the session id is added to its query. */
  messagesPath: string;
  /** Who the client is and where NAME leads, decided at its initialize (as for Streamable HTTP). */
  admit: (init: JsonRpcMessage) => { client: string; target: RemoteTarget };
  onEnd: (session: LegacySession) => void;
}

/**
 * One MCP session of a legacy HTTP+SSE client (MCP 2024-11-05; Cline assumes it for url
 * entries): the client side of a relay session (relay-session.ts). Each POST gets 202 and
 * every answer goes out on the GET stream; the session lives as long as that stream.
 */
export interface LegacySession extends ClientSession {
  /** The messages of one POST to the endpoint; `res` gets 202, or why they cannot be taken. */
  post(posted: PostedMessages, res: ServerResponse): void;
}

export function startLegacySession(options: LegacySessionOptions): LegacySession {
  const id = newSessionId();
  const { stream } = options;
  let relay: RelaySession | null = null;
  let lastActive = Date.now();
  let ended = false;
  let relayGone!: () => void;
  const gone = new Promise<void>((resolve) => (relayGone = resolve));

  const closeStream = () => {
    if (isOpen(stream)) stream.end();
  };
  // The relay is started by the client's initialize, which names the client for the audit.
  const start = (init: JsonRpcMessage): boolean => {
    const { client, target } = options.admit(init);
    if ('refusal' in target) {
      void writeEvent(stream, target.refusal(init.id ?? null));
      setImmediate(() => session.end());
      return false;
    }
    relay = startRelaySession(options, {
      client,
      target: target.pin,
      onLine: (line) => (isOpen(stream) ? writeEvent(stream, line) : undefined),
      onInitializeFailed: () => session.end(),
      onFinish: () => {
        relayGone();
        closeStream();
        session.end();
      },
    });
    return true;
  };

  const session: LegacySession = {
    id,
    post({ messages, line }, res) {
      lastActive = Date.now();
      if (ended) return refuseUnknownSession(res);
      if (!relay) {
        const init = messages.find((m) => m.method === 'initialize' && isRequest(m));
        if (!init) return failRequest(res, 400, ErrorCode.InvalidRequest, 'Bad Request: start the session with an initialize request');
        res.writeHead(202).end();
        if (start(init)) relay!.send(messages, line);
        return;
      }
      // Another initialize would be refused upstream, and its failure would end the session.
      if (messages.some((m) => m.method === 'initialize' && isRequest(m))) {
        return failRequest(res, 400, ErrorCode.InvalidRequest, 'Bad Request: this session is already initialized; open a new stream to start another');
      }
      relay.send(messages, line);
      res.writeHead(202).end();
    },
    whenAccepting: () => relay?.whenAccepting(),
    finished: gone,
    idleSince() {
      return isOpen(stream) ? null : lastActive;
    },
    end() {
      if (ended) return;
      // Gone for the client at once (404 from now on); the relay winds down behind it and
      // its last answers (errors for what was in flight) still go out before the stream ends.
      ended = true;
      options.onEnd(session);
      if (relay) relay.end();
      else {
        closeStream();
        relayGone();
      }
    },
  };

  openEventStream(stream);
  stream.write(`event: endpoint\ndata: ${options.messagesPath}${options.messagesPath.includes('?') ? '&' : '?'}sessionId=${id}\n\n`);
  // Closing the GET stream is how a legacy client ends its session.
  stream.on('close', () => session.end());
  return session;
}
