import type { AuditEntry } from '../audit/audit-log.js';
import type { CallInfo } from '../ipc/protocol.js';
import type { EngineLink } from './engine-link.js';

/** Whose rows they are: a policed call's and a client's answer to the server are written alike. */
export interface CallRowContext {
  server: string;
  sessionId: string;
  actorId: () => string;
}

export type CallRowFields = Omit<AuditEntry, 'event'> & { event?: AuditEntry['event'] };

/** Builds the audit rows of `info`: a `call` row unless `fields` names another event. */
export function createCallRow(ctx: CallRowContext): (info: CallInfo, fields: CallRowFields) => AuditEntry {
  return (info, fields) => ({
    event: 'call', actorId: ctx.actorId(), client: info.client, serverName: ctx.server, toolName: info.tool, method: info.method,
    actionClass: info.actionClass, sessionId: ctx.sessionId, requestId: info.requestId, argsDigest: info.argsDigest, ...fields,
  });
}

/**
 * Writes `entry` to the spool now, with the rows queued this tick, for what it decides
 * leaves right after and must not leave unrecorded: the error when it could not be written.
 */
export function recordNow(link: Pick<EngineLink, 'record' | 'flush'>, entry: AuditEntry): Error | null {
  try {
    link.record(entry, () => {});
    link.flush();
    return null;
  } catch (error) {
    return error as Error;
  }
}
