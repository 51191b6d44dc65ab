import { createKeytarStore } from '../../firewall/identity/keytar-store.js';
import { oauthLogin, oauthLoginFailure } from '../../firewall/identity/oauth-login.js';
import { RedirectTimeoutError } from '../../firewall/identity/oauth-redirect-listener.js';
import { openOAuthSession, type OAuthSession } from '../../firewall/identity/oauth-session.js';
import type { OAuthStatus } from '../../firewall/identity/oauth-credentials.js';
import type { SecretStore } from '../../firewall/identity/secret-store.js';
import { expectOnly, parseArgs, stringFlag, type ParsedArgs } from '../args.js';
import { UsageError, type CliIo, type CommandHandler } from '../command.js';
import { openInBrowser } from '../open-browser.js';
import { argWord } from '../../firewall/shell-word.js';

export const authUsage = 'mcp-firewall auth login SERVER [--scope S] [--open|--no-open] [--timeout SECONDS] | status SERVER [--json] | logout SERVER';

const DEFAULT_TIMEOUT_S = 300;

export interface AuthCommandDeps {
  store: () => SecretStore;
  /** A person at a terminal (not CI, not a pipe): the browser is then opened without --open. */
  interactive: (io: CliIo) => boolean;
  openBrowser: (url: string) => void;
  fetch?: typeof fetch;
}

/** The printed URL is there whatever happens: a refused URL or a missing opener changes nothing. */
const openWithSystemBrowser = (url: string): void => void openInBrowser(url).catch(() => undefined);

const defaultDeps: AuthCommandDeps = {
  store: () => createKeytarStore(),
  interactive: (io) => process.stdout.isTTY === true && !io.env.CI,
  openBrowser: openWithSystemBrowser,
};

function timeoutMs(parsed: ParsedArgs): number {
  const raw = stringFlag(parsed, 'timeout');
  if (raw === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout takes a number of seconds, not '${raw}'`);
  return seconds * 1000;
}

async function login(session: OAuthSession, server: string, parsed: ParsedArgs, io: CliIo, deps: AuthCommandDeps): Promise<number> {
  // Usage errors first: a bad --timeout is not reported as a registry problem.
  const wait = timeoutMs(parsed);
  const scope = stringFlag(parsed, 'scope');
  const pin = session.pinOf(server);
  const open = parsed.flags.has('open') || (!parsed.flags.has('no-open') && deps.interactive(io));
  let result;
  try {
    result = await oauthLogin({
      server,
      pin,
      previous: await session.credentials.stored(server),
      ...(scope ? { scope } : {}),
      timeoutMs: wait,
      onAuthorizationUrl: (url) => {
        io.stdout(`Open this URL in your browser to let the firewall act for '${server}':\n\n  ${url.href}\n\nWaiting up to ${Math.round(wait / 1000)} s for the browser to come back…\n`);
        if (open) deps.openBrowser(url.href);
      },
      onRefused: (why) => io.stderr(`warning: ${why}\n`),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  } catch (error) {
    if (error instanceof RedirectTimeoutError) throw new Error(`${error.message}; run 'mcp-firewall auth login ${argWord(server)}' again (--timeout SECONDS to wait longer)`);
    throw new Error(oauthLoginFailure(server, error));
  }
  // A `contain` (or a re-pin) while the browser was out: nothing is stored, and the error says so.
  await session.store(server, pin, result, 'cli');
  const status = await session.credentials.status(server);
  io.stdout(`${server}: logged in with ${result.authorizationServer}${result.registered ? ' (client registered)' : ''}; ${describeTokens(status)}. Stored in the OS keychain: ${Object.keys(result.secrets).sort().join(', ')}. New sessions through /mcp/${encodeURIComponent(server)} use them.\n`);
  return 0;
}

function describeTokens(status: OAuthStatus): string {
  const expiry = status.expiresAt === null ? 'expiry unknown' : `${status.expired ? 'expired' : 'expires'} ${status.expiresAt}`;
  return `access token ${status.accessToken ? `stored, ${expiry}` : 'missing'}; ${describeSplit(status)}; refresh token ${status.refreshToken ? 'stored' : 'none'}`;
}

/** DESIGN §6: whether reads carry a token that cannot write, and if not, why. */
function describeSplit(status: OAuthStatus): string {
  if (status.readScope !== null) {
    const expiry = status.readExpiresAt === null ? 'expiry unknown' : `expires ${status.readExpiresAt}`;
    return status.readToken ? `read-only token (${status.readScope}) stored for reads, ${expiry}` : `read-only token (${status.readScope}) missing: reads are sent without a token until the next login`;
  }
  return `no read-only token, reads and writes share the access token${status.noSplit ? ` (${status.noSplit})` : ''}`;
}

function printStatus(status: OAuthStatus, parsed: ParsedArgs, io: CliIo): number {
  if (parsed.flags.has('json')) io.stdout(`${JSON.stringify(status, null, 2)}\n`);
  else if (status.loggedIn) io.stdout(`${status.server}: logged in with ${status.authorizationServer}; ${describeTokens(status)}\n`);
  else io.stdout(`${status.server}: not logged in with OAuth; run: mcp-firewall auth login ${argWord(status.server)}\n`);
  return status.loggedIn ? 0 : 1;
}

async function run(session: OAuthSession, parsed: ParsedArgs, io: CliIo, deps: AuthCommandDeps): Promise<number> {
  const [verb, server, ...extra] = parsed.positional;
  if (!server || extra.length > 0) throw new UsageError(`usage: ${authUsage}`);
  if (verb === 'login') return login(session, server, parsed, io, deps);
  if (verb === 'status') return printStatus(await session.credentials.status(server), parsed, io);
  if (verb === 'logout') {
    const { removed, revocation } = await session.credentials.logout(server, 'cli');
    io.stdout(removed.length > 0 ? `${server}: logged out; removed ${removed.join(', ')} from the OS keychain\n` : `${server}: no OAuth login stored (a token set by hand goes with: mcp-firewall secrets rm ${argWord(server)} AUTHORIZATION)\n`);
    // The local removal stands either way; a server that did not revoke is said in one line, not an exit code.
    if (revocation?.status === 'revoked') io.stdout(`${server}: ${revocation.message}\n`);
    else if (revocation) io.stderr(`warning: ${revocation.message}\n`);
    return removed.length > 0 ? 0 : 1;
  }
  throw new UsageError(`usage: ${authUsage}`);
}

export function createAuthCommand(deps: AuthCommandDeps = defaultDeps): CommandHandler {
  return async (args, io) => {
    const parsed = parseArgs(args, ['json', 'open', 'no-open']);
    expectOnly(parsed, ['json', 'open', 'no-open', 'scope', 'timeout'], 2, authUsage);
    const session = openOAuthSession(io.env, deps.store(), deps.fetch);
    try {
      return await run(session, parsed, io, deps);
    } finally {
      session.close();
    }
  };
}

export const authCommand: CommandHandler = createAuthCommand();
