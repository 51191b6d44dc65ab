// Minimal JSON-RPC 2.0 helpers for the relay. Ids are echoed back exactly as the client
// sent them (number, string — even ones that look like numbers), so clients that
// correlate by id type keep working.
export type JsonRpcId = string | number | null;

export interface JsonRpcMessage {
  jsonrpc?: unknown;
  id?: JsonRpcId;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  InternalError: -32603,
  /** The firewall is not running or refused the server: nothing was executed. */
  FirewallUnavailable: -32001,
  /** Policy or an approver denied the call. */
  PolicyDenied: -32003,
  /** The server failed: crashed, timed out or sent garbage. */
  UpstreamFailed: -32004,
} as const;

export function isRequest(msg: JsonRpcMessage): boolean {
  return typeof msg.method === 'string' && msg.id !== undefined && msg.id !== null;
}

export function errorResponse(id: JsonRpcId, code: number, message: string, data?: unknown): string {
  const error: Record<string, unknown> = { code, message };
  if (data !== undefined) error.data = data;
  return JSON.stringify({ jsonrpc: '2.0', id, error });
}

export function notification(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params });
}

export function idKey(id: JsonRpcId): string {
  return typeof id === 'string' ? `s:${id}` : `n:${String(id)}`;
}
