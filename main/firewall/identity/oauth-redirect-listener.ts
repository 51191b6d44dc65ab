import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { safeOAuthCode } from './oauth-error-text.js';

// Where the browser lands after the user approves (RFC 8252 §7.3, a loopback redirect).
// It listens on 127.0.0.1 only — never a name that could resolve elsewhere, never all
// interfaces — and takes exactly one request: the one carrying the `state` this login
// made. Anything else on this machine can reach the port; a forged redirect (another
// state, no state) is refused and changes nothing, so it can neither finish the login
// with an attacker's code nor end it.

const CALLBACK_PATH = '/callback';

export interface RedirectListenerOptions {
  state: string;
  timeoutMs: number;
  /** Tried first (the port a stored client registered); a random one when it is taken. */
  preferredPort?: number;
  /** Told about each refused request, so the user sees it. */
  onRefused?: (why: string) => void;
}

export interface RedirectListener {
  /** `http://127.0.0.1:PORT/callback` */
  readonly redirectUrl: string;
  /** The authorization code of the one redirect with our state; rejects on an error redirect or the timeout. */
  readonly code: Promise<string>;
  close(): Promise<void>;
}

export class RedirectTimeoutError extends Error {}

function sameState(got: string | null, expected: string): boolean {
  if (got === null) return false;
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function answer(res: ServerResponse, status: number, text: string): void {
  // The text can echo what the redirect carried (the server's error description): plain text
  // only, which nosniff keeps a browser from reading as HTML; never cached (it came with a code).
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', connection: 'close' });
  res.end(`${text}\n`);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    });
  });
}

export async function listenForRedirect(options: RedirectListenerOptions): Promise<RedirectListener> {
  let settle!: { resolve: (code: string) => void; reject: (error: Error) => void };
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  code.catch(() => {}); // the caller awaits it; a timeout before that must not be unhandled
  let done = false;

  // The listener closes once the answer is out: the browser must still get its page.
  const finish = (res: ServerResponse | null, outcome: () => void) => {
    done = true;
    clearTimeout(timer);
    outcome();
    if (res && !res.writableFinished) res.once('finish', () => void close());
    else void close();
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (done) return answer(res, 410, 'This login has already finished.');
    if (url.pathname !== CALLBACK_PATH) return answer(res, 404, 'Not found.');
    if (req.method !== 'GET') return answer(res, 405, 'Method not allowed.');
    if (!sameState(url.searchParams.get('state'), options.state)) {
      options.onRefused?.('a redirect with the wrong state was refused (not the login this command started)');
      return answer(res, 400, 'Refused: this sign-in redirect does not belong to the login mcp-firewall started (state mismatch). Nothing was stored.');
    }
    const error = url.searchParams.get('error');
    if (error !== null) {
      const description = url.searchParams.get('error_description');
      answer(res, 200, `The authorization server refused: ${error}${description ? ` (${description})` : ''}. You can close this tab.`);
      // The error leaves this tab for the terminal, the dashboard and the audit: only a code
      // in OAuth's charset goes with it, never the server's own text (oauth-error-text.ts).
      const code = safeOAuthCode(error) ?? 'an error that is no OAuth error code';
      return finish(res, () => settle.reject(new Error(`the authorization server refused: ${code}`)));
    }
    const received = url.searchParams.get('code');
    if (!received) {
      answer(res, 400, 'Refused: the redirect carries no authorization code.');
      return finish(res, () => settle.reject(new Error('the redirect carried no authorization code')));
    }
    answer(res, 200, 'mcp-firewall has the authorization; you can close this tab.');
    finish(res, () => settle.resolve(received));
  };

  const server = createServer(handle);
  let port: number;
  try {
    port = await listen(server, options.preferredPort ?? 0);
  } catch (error) {
    if (options.preferredPort === undefined || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    port = await listen(server, 0);
  }

  const timer = setTimeout(() => {
    finish(null, () => settle.reject(new RedirectTimeoutError(`no redirect from the browser within ${options.timeoutMs / 1000} s`)));
  }, options.timeoutMs);

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      if (!done) {
        done = true;
        settle.reject(new Error('the login was stopped'));
      }
      server.close(() => resolve());
      server.closeIdleConnections();
      // A browser's spare keep-alive connection must not hold the command open.
      setTimeout(() => server.closeAllConnections(), 1_000).unref();
    });
    return closing;
  }

  return { redirectUrl: `http://127.0.0.1:${port}${CALLBACK_PATH}`, code, close };
}
