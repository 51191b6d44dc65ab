import { idKey, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc/messages.js';

/** A request sent to a legacy SSE server, whose answer is to come on the session's stream. */
export interface PendingRequest {
  id: JsonRpcId;
  /** How long it may go without an answer or progress once the server took it (answer-wait.ts). */
  idleMs: number;
  /** `initialize`: never cancelled (the spec forbids it), whatever else befalls it. */
  initialize: boolean;
  /** The key of its progressToken, when it carries one. */
  progress?: string;
  timer?: NodeJS.Timeout;
}

/**
 * The requests a legacy HTTP+SSE server (sse-upstream.ts) owes an answer, each waited on for
 * no longer than a Streamable HTTP POST's answer (answer-wait.ts): without it, a request the
 * server took (202) and never answered left its client waiting, and itself in memory, for
 * the session's life. The stream is the session's, shared by every request: a keep-alive
 * ping on it (the Python SDK's SSE transport, on sse-starlette, sends one every 15 s) or
 * another request's answer says the session lives, not that this request is being worked
 * on. So the silence counted is the request's own: only progress carrying its progressToken
 * is its sign of life, the one a 2024-11-05 server can give (the bound is never below its
 * runtime limit).
 */
export interface LegacyPending {
  /** `requests` are being posted (`ids`, their keys), to be waited on for `idleMs` each. */
  add(requests: JsonRpcMessage[], ids: Map<string, JsonRpcId>, idleMs: number): void;
  /** The server took `ids` (202): their silence is counted from now. */
  taken(ids: Map<string, JsonRpcId>): void;
  /** A message came on the stream that answers none (`line`): progress on a request refreshes its wait. */
  heard(line: string): void;
  /** Forgets the request under `key` (answered, failed or cancelled): what it was, if it was pending. */
  take(key: string): PendingRequest | undefined;
  has(key: string): boolean;
  keys(): string[];
}

/**
 * `onSilent(key)`: the request under `key` went its bound without an answer (it is still
 * pending); false when it is to be waited on for as long again.
 */
export function createLegacyPending(onSilent: (key: string) => boolean): LegacyPending {
  const pending = new Map<string, PendingRequest>();
  return {
    add(requests, ids, idleMs) {
      for (const message of requests) {
        const key = idKey(message.id!);
        if (!ids.has(key)) continue;
        const token = (message.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken;
        const progress = typeof token === 'string' || typeof token === 'number' ? idKey(token) : undefined;
        pending.set(key, { id: message.id!, idleMs, initialize: message.method === 'initialize', ...(progress === undefined ? {} : { progress }) });
      }
    },
    taken(ids) {
      for (const key of ids.keys()) {
        const request = pending.get(key);
        // Answered already: the answer can come on the stream before the POST's 202 does.
        if (!request || request.timer) continue;
        request.timer = setTimeout(() => onSilent(key) || request.timer!.refresh(), request.idleMs);
        request.timer.unref();
      }
    },
    heard(line) {
      if (pending.size === 0) return;
      const token = progressTokenOf(line);
      if (token === undefined) return;
      for (const request of pending.values()) if (request.progress === token) request.timer?.refresh();
    },
    take(key) {
      const request = pending.get(key);
      if (!request) return undefined;
      clearTimeout(request.timer);
      pending.delete(key);
      return request;
    },
    has: (key) => pending.has(key),
    keys: () => [...pending.keys()],
  };
}

/** The key of the progressToken of a progress notification, else undefined (parsed only when it may be one). */
function progressTokenOf(line: string): string | undefined {
  if (!line.includes('notifications/progress')) return undefined;
  try {
    const message = JSON.parse(line) as { method?: unknown; params?: { progressToken?: unknown } } | null;
    const token = message?.method === 'notifications/progress' ? message.params?.progressToken : undefined;
    return typeof token === 'string' || typeof token === 'number' ? idKey(token) : undefined;
  } catch {
    return undefined;
  }
}
