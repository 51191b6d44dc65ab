import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APPROVAL_SCOPES, type ApprovalScope } from '../approvals/approval-queue.js';
import { revealArguments, toApprovalView } from './approval-view.js';
import { verifyAuditChain } from '../audit/audit-log.js';
import { runReadOnlyQueryIsolated } from '../audit/audit-query-isolated.js';
import type { Engine } from '../engine.js';
import { fromAnotherUser } from './peer-user.js';
import { createHttpInterposer, INTERPOSER_PREFIX, type HttpInterposer } from '../http/interposer.js';
import { isLaunchDigest, remoteFingerprint, remoteUrlProblem } from '../registry/registry.js';
import { listedEntries } from '../registry/listed-entries.js';
import { PIN_ROUTES } from './pin-routes.js';
import { QUARANTINE_ROUTES } from './quarantine-routes.js';
import { createDashboardHttp, type DashboardHttp } from './dashboard-http.js';
import { createDashboardService, type DashboardClientsDeps } from './dashboard-service.js';
import { defaultClientsDeps } from './default-clients-deps.js';
import { checkHostAndOrigin, HttpError, readJsonBody, sendJson, tokensEqual } from './http-util.js';
import { httpStatusOf } from './http-status.js';
import { defaultRendererDir } from './renderer-dir.js';

export interface ControlApi {
  port: number;
  close(): Promise<void>;
}

type Handler = (ctx: { engine: Engine; params: string[]; body: () => Promise<Record<string, unknown>>; url: URL }) => Promise<unknown> | unknown;

const ACTOR = 'control-api';
const CLOSE_GRACE_MS = 1_000;

// Paths follow the seed's containment script: POST {API}/registry/{server}/disable etc.
const ROUTES: Array<[method: string, pattern: RegExp, handler: Handler]> = [
  ['GET', /^\/api\/health$/, ({ engine }) => ({ ok: true, pid: process.pid, policy: engine.policy.file, emergencyWriteApproval: engine.emergencyWriteApproval(), pausedUntil: engine.pausedUntil() })],
  ['POST', /^\/api\/tokens\/revoke$/, async ({ engine, body }) => {
    const audience = (await body()).audience;
    if (typeof audience !== 'string' || !audience) throw new HttpError(400, '"audience" (the server name) is required');
    return { audience, ...(await engine.revokeTokens(audience, ACTOR)) };
  }],
  ['POST', /^\/api\/protection\/(pause|resume)$/, async ({ engine, params, body }) => {
    if (params[0] === 'resume') return { pausedUntil: engine.pauseProtection(null, ACTOR) };
    const minutes = (await body()).minutes ?? 15;
    if (typeof minutes !== 'number' || minutes <= 0 || minutes > 24 * 60) throw new HttpError(400, '"minutes" must be a number from 1 to 1440');
    return { pausedUntil: engine.pauseProtection(minutes, ACTOR) };
  }],
  ['GET', /^\/api\/registry$/, ({ engine }) => listedEntries(engine.registry)],
  ['POST', /^\/api\/registry\/([^/]+)\/approve$/, async ({ engine, params, body }) => {
    const { url, transport = 'http', replace = false, launch } = await body();
    if (typeof replace !== 'boolean') throw new HttpError(400, '"replace" must be true or false');
    // The launch line the caller saw waiting (its digest): another one waiting now is a 409.
    if (launch !== undefined && launch !== null && (typeof launch !== 'string' || !isLaunchDigest(launch.trim()))) throw new HttpError(400, '"launch" must be a launch digest (12 hex digits)');
    if (launch !== undefined && url !== undefined) throw new HttpError(400, '"launch" names a waiting launch line; a URL is pinned as given');
    if (url === undefined) return engine.approveServer(params[0]!, ACTOR, { replace, ...(launch !== undefined ? { launch: launch as string | null } : {}) });
    const problem = remoteUrlProblem(url);
    if (problem) throw new HttpError(400, problem);
    // 'sse': the legacy HTTP+SSE transport (2024-11-05); pinned with the URL, so a switch is drift.
    if (transport !== 'http' && transport !== 'sse') throw new HttpError(400, '"transport" must be "http" or "sse"');
    return engine.approveServer(params[0]!, ACTOR, {}, remoteFingerprint(url as string, transport));
  }],
  ['POST', /^\/api\/registry\/([^/]+)\/(disable|enable)$/, ({ engine, params }) => {
    const entry = engine.setServerEnabled(params[0]!, params[1] === 'enable', ACTOR);
    if (!entry) throw new HttpError(404, `server '${params[0]}' is not in the registry`);
    return entry;
  }],
  ['GET', /^\/api\/approvals$/, ({ engine }) => engine.approvals.list()],
  // All of one call's arguments, however long: what `approvals show ID` prints.
  ['GET', /^\/api\/approvals\/([^/]+)\/arguments$/, ({ engine, params }) => {
    const revealed = revealArguments(engine.approvals, params[0]!, Infinity);
    if (!revealed) throw new HttpError(404, `no pending approval '${params[0]}'`);
    const { argumentsPreview: _preview, ...view } = toApprovalView(revealed.pending);
    return { ...view, text: revealed.shown.text };
  }],
  ['POST', /^\/api\/approvals\/([^/]+)\/(allow|deny)$/, async ({ engine, params, body }) => {
    const scope = ((await body()).scope ?? 'once') as ApprovalScope;
    if (!APPROVAL_SCOPES.includes(scope)) throw new HttpError(400, `scope must be one of ${APPROVAL_SCOPES.join(', ')}`);
    // A scope refused for arguments nobody read in full throws: 409 (httpStatusOf).
    if (!engine.approvals.answer(params[0]!, params[1] as 'allow' | 'deny', scope)) throw new HttpError(404, `no pending approval '${params[0]}'`);
    return { id: params[0], answer: params[1], scope };
  }],
  ['GET', /^\/api\/policy$/, ({ engine }) => ({
    file: engine.policy.file, loadedAt: engine.policy.loadedAt(), errors: engine.policy.lastErrors(),
    emergencyWriteApproval: engine.emergencyWriteApproval(), policy: engine.policy.current().spec,
  })],
  ['POST', /^\/api\/policy\/emergency-write-approval$/, async ({ engine, body }) => {
    const enabled = (await body()).enabled ?? true;
    if (typeof enabled !== 'boolean') throw new HttpError(400, '"enabled" must be true or false');
    engine.setEmergencyWriteApproval(enabled, ACTOR);
    return { emergencyWriteApproval: enabled };
  }],
  ['POST', /^\/api\/audit\/flush$/, ({ engine }) => {
    engine.spool.ingest();
    return { flushed: true };
  }],
  ['GET', /^\/api\/audit$/, async ({ engine, url }) => {
    const sql = url.searchParams.get('sql');
    if (!sql) throw new HttpError(400, 'missing ?sql=');
    engine.spool.ingest();
    try {
      return await runReadOnlyQueryIsolated(engine.paths.database, sql);
    } catch (error) {
      // The SQL is the caller's: a syntax error or a refused write is bad input, as on the dashboard.
      throw new HttpError(400, (error as Error).message);
    }
  }],
  ['GET', /^\/api\/audit\/verify$/, ({ engine }) => {
    engine.spool.ingest();
    return verifyAuditChain(engine.db);
  }],
  ['GET', /^\/api\/gates$/, ({ engine }) => {
    engine.spool.ingest();
    return engine.gates();
  }],
  ...PIN_ROUTES,
  ...QUARANTINE_ROUTES,
];

export interface ControlApiOptions {
  port: number;
  token: string;
  /** The dashboard at `/`; on by default, with the built renderer and this process's view of client configs. */
  dashboard?: false | { rendererDir?: string | null; clients?: DashboardClientsDeps };
  /** How long a request may take to arrive whole (headers and body); REQUEST_TIMEOUT_MS unless a test says. */
  requestTimeoutMs?: number;
  /** Open connections at most; MAX_CONNECTIONS unless a test says. */
  maxConnections?: number;
}

// Any local process can open connections to 127.0.0.1. Past this many the server closes new
// ones at once, so a flood cannot take the process's every file descriptor — the shims'
// socket, the database and the spool files share them (20 000 here): shims keep working.
const MAX_CONNECTIONS = 1_024;

// Every request here is small and sent at once (a JSON body, an MCP message); one whose body
// stalls is refused with 408 after this, not held for Node's five minutes. Responses (an SSE
// stream, a long tool call) are not bounded by it.
const REQUEST_TIMEOUT_MS = 30_000;

export function startControlApi(engine: Engine, options: ControlApiOptions): Promise<ControlApi> {
  let boundPort = options.port;
  const dashboard = options.dashboard === false ? null : createDashboardHttp({
    service: createDashboardService(engine, options.dashboard?.clients ?? defaultClientsDeps(), () => boundPort),
    port: () => boundPort,
    rendererDir: options.dashboard?.rendererDir !== undefined ? options.dashboard.rendererDir : defaultRendererDir(),
  });
  // Remote MCP servers are reached through the same port, so `serve` and the desktop app both offer them.
  const interposer = createHttpInterposer(engine, { socketPath: engine.paths.socket });
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  // Node checks for timed-out requests on this interval (30 s by default, which would double the limit).
  const checking = { requestTimeout, connectionsCheckingInterval: Math.min(1_000, requestTimeout) };
  const server: Server = createServer(checking, (req, res) => {
    handle(engine, req, res, boundPort, options.token, dashboard, interposer).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (error as Error).message });
    });
  });
  server.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
  // Another account on this machine has no business here: the remote servers behind
  // /mcp/NAME would answer it with this user's credentials (peer-user.ts).
  server.on('connection', (socket) => {
    if (fromAnotherUser(socket)) socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      interposer.close();
      reject(error);
    });
    server.listen(options.port, '127.0.0.1', () => {
      boundPort = (server.address() as AddressInfo).port;
      resolve({
        port: boundPort,
        close: () => {
          interposer.close();
          const closed = new Promise<void>((done) => server.close(() => done()));
          // A client that never finishes its request (a body that stalls) would hold the
          // engine's shutdown until Node's 5-minute requestTimeout: it gets a short grace.
          server.closeIdleConnections();
          const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
          return closed.finally(() => clearTimeout(grace));
        },
      });
    });
  });
}

async function handle(engine: Engine, req: IncomingMessage, res: ServerResponse, port: number, token: string, dashboard: DashboardHttp | null, interposer: HttpInterposer): Promise<void> {
  const refusal = checkHostAndOrigin(req, port);
  if (refusal) return sendJson(res, 403, { error: refusal });
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  // Before the token check: MCP clients cannot hold our control token (the interposer has its own checks).
  if (url.pathname.startsWith(INTERPOSER_PREFIX)) return interposer.handle(req, res, url);
  if (dashboard && (await dashboard.servePage(req, res, url))) return;
  const auth = req.headers.authorization ?? '';
  const bearer = auth.startsWith('Bearer ') && tokensEqual(auth.slice(7), token);
  if (!bearer && !dashboard?.cookieAuthorized(req)) {
    return sendJson(res, 401, { error: 'missing or wrong bearer token (see control-token in the data dir)' });
  }
  if (dashboard && (await dashboard.serveApi(req, res, url))) return;
  // Logins, logout, logout-all: a browser reaches /api/logout only with our header (cookieAuthorized), the CSRF guard.
  if (dashboard?.serveSessions(req, res, url, bearer)) return;
  const allowed: string[] = [];
  for (const [method, pattern, handler] of ROUTES) {
    const match = pattern.exec(url.pathname);
    if (!match) continue;
    if (req.method !== method) {
      allowed.push(method);
      continue;
    }
    try {
      const params = match.slice(1).map(decodeParam);
      // Read (and checked) before the handler runs, even where it takes no fields: malformed
      // JSON or an oversized body is refused before any action, never ignored.
      const parsed = method === 'POST' ? await readJsonBody(req) : {};
      const result = await handler({ engine, params, url, body: () => Promise.resolve(parsed) });
      return sendJson(res, 200, result);
    } catch (error) {
      return sendJson(res, httpStatusOf(error), { error: (error as Error).message });
    }
  }
  if (allowed.length > 0) {
    res.setHeader('allow', [...new Set(allowed)].join(', '));
    return sendJson(res, 405, { error: `${url.pathname} takes ${[...new Set(allowed)].join(' or ')}, not ${req.method}` });
  }
  sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}` });
}

function decodeParam(param: string): string {
  try {
    return decodeURIComponent(param);
  } catch {
    throw new HttpError(400, `malformed percent-encoding in '${param}'`);
  }
}
