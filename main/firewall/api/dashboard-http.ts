import type { IncomingMessage, ServerResponse } from 'node:http';
import { ARG_SCHEMAS, CHANNELS, type ApiMethod } from '../../../preload/contract.js';
import { clearedSessionCookie, DASHBOARD_HEADER, loginUrl, readCookie, sessionCookie, sessionCookieName } from './dashboard-auth.js';
import { createLoginKeys } from './dashboard-logins.js';
import { createDashboardSessions, type DashboardSessions } from './dashboard-sessions.js';
import { callService, DashboardInputError, type DashboardService } from './dashboard-service.js';
import { HttpError, readJsonBody, sendJson } from './http-util.js';
import { httpStatusOf } from './http-status.js';
import { sendHtml, sendStatic } from './static-files.js';

export interface DashboardHttp {
  /** The page and its assets, and the login; true when it answered. Runs before bearer auth. */
  servePage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** A browser with the session cookie may use the API, if its fetch carries our header. */
  cookieAuthorized(req: IncomingMessage): boolean;
  /**
   * After auth: POST /api/login-url (a link that works once, for a short while) and
   * /api/logout-all for the bearer token only, POST /api/logout for this browser; true when it answered.
   */
  serveSessions(req: IncomingMessage, res: ServerResponse, url: URL, bearer: boolean): boolean;
  /** POST /api/dashboard/<method>: the preload contract over HTTP; true when it answered. */
  serveApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

const NOT_LOGGED_IN = `<!doctype html><meta charset="utf-8"><title>MCP Firewall</title>
<body style="font:16px system-ui;margin:3rem;max-width:40rem">
<h1>MCP Firewall dashboard</h1>
<p>This browser is not logged in to the running engine. A session ends when you log out,
when <code>mcp-firewall dashboard logout-all</code> runs, 12 hours after login, and when the engine restarts.</p>
<p>Open the dashboard with <code>mcp-firewall dashboard</code>, or print a login link with
<code>mcp-firewall dashboard --print-url</code>.</p></body>`;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>MCP Firewall</title>
<body style="font:16px system-ui;margin:3rem"><h1>MCP Firewall dashboard</h1>
<p>The dashboard is not built. Run <code>npm run build</code> in the MCP Firewall checkout.</p></body>`;

const METHODS = new Set(Object.keys(CHANNELS));

export function createDashboardHttp(options: { service: DashboardService; port: () => number; rendererDir: string | null; sessions?: DashboardSessions }): DashboardHttp {
  const { service, rendererDir } = options;
  const logins = createLoginKeys();
  const sessions = options.sessions ?? createDashboardSessions();
  const sessionOf = (req: IncomingMessage) => readCookie(req, sessionCookieName(options.port()));
  const hasSession = (req: IncomingMessage) => {
    const id = sessionOf(req);
    return id !== null && sessions.isLive(id);
  };
  const isPage = (path: string) => path === '/' || path === '/index.html' || path.startsWith('/assets/') || path === '/favicon.svg';

  return {
    async servePage(req, res, url) {
      if (req.method !== 'GET' || !isPage(url.pathname)) return false;
      const login = url.searchParams.get('token');
      if (login !== null) {
        if (!logins.take(login)) {
          sendHtml(res, 401, NOT_LOGGED_IN);
          return true;
        }
        // A browser logging in again replaces its session, rather than leave the old one live beside it.
        const previous = sessionOf(req);
        if (previous !== null) sessions.end(previous);
        // Redirect so the key leaves the address bar at once.
        res.writeHead(303, { location: '/', 'set-cookie': sessionCookie(options.port(), sessions.open()), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
        res.end();
        return true;
      }
      if (!hasSession(req)) {
        // The cookie of an ended session is of no further use: the browser may drop it.
        if (sessionOf(req) !== null) res.setHeader('set-cookie', clearedSessionCookie(options.port()));
        sendHtml(res, 401, NOT_LOGGED_IN);
        return true;
      }
      if (!rendererDir || !(await sendStatic(res, rendererDir, url.pathname))) {
        if (url.pathname === '/' || url.pathname === '/index.html') sendHtml(res, 503, NOT_BUILT);
        else sendJson(res, 404, { error: `no file ${url.pathname}` });
      }
      return true;
    },
    serveSessions(req, res, url, bearer) {
      if (req.method !== 'POST') return false;
      // Minting a login and ending every session are for the bearer token, never a browser session.
      if (bearer && url.pathname === '/api/login-url') return sendJson(res, 200, { url: loginUrl(options.port(), logins.mint()) }), true;
      if (bearer && url.pathname === '/api/logout-all') return sendJson(res, 200, { ended: sessions.endAll() }), true;
      if (url.pathname !== '/api/logout') return false;
      const id = sessionOf(req);
      const loggedOut = id !== null && sessions.end(id);
      res.setHeader('set-cookie', clearedSessionCookie(options.port()));
      sendJson(res, 200, { loggedOut });
      return true;
    },
    cookieAuthorized(req) {
      return req.headers[DASHBOARD_HEADER] === '1' && hasSession(req);
    },
    async serveApi(req, res, url) {
      const match = /^\/api\/dashboard\/([A-Za-z]+)$/.exec(url.pathname);
      if (!match) return false;
      const method = match[1]!;
      if (!METHODS.has(method)) return sendJson(res, 404, { error: `no dashboard method '${method}'` }), true;
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'dashboard methods are POST' }), true;
      try {
        const body = await readJsonBody(req);
        const schema = ARG_SCHEMAS[method as ApiMethod];
        let arg: unknown;
        if (schema) {
          const parsed = schema.safeParse(body);
          if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
          arg = parsed.data;
        }
        const result = await callService(service, method as ApiMethod, arg);
        sendJson(res, 200, result ?? { ok: true });
      } catch (error) {
        sendJson(res, error instanceof DashboardInputError ? 400 : httpStatusOf(error), { error: (error as Error).message });
      }
      return true;
    },
  };
}
