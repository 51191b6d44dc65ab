import { AnswerStreamIdle, AnswerTooLarge, readExcerpt } from './answer-limits.js';
import { askedWaitMs } from './reopen-backoff.js';
import { secondsText } from './retry-window.js';
import { shownUrl, shownUrlsIn } from '../shown-url.js';
import { argWord } from '../shell-word.js';

// Why a request to a remote server failed, in the words both adapters give the client.

/**
 * An HTTP error answer, with the start of its body: often the server's own explanation.
 * The excerpt goes to the client, so the credentials the firewall holds for the server
 * are taken out of it: a server that repeats the token it refused must not hand the
 * firewall's own token to the client (DESIGN §6: no token passthrough, either way).
 */
export async function answerFailure(server: string, response: Response, hadSession: boolean, credentials: Array<string | undefined>): Promise<string> {
  const excerpt = withoutCredentials(await readExcerpt(response, 200), credentials);
  return httpFailure(server, response.status, excerpt, hadSession, oauthChallenge(response), askedWaitMs(response));
}

/** `text` with every credential the firewall holds for the server (and a token's start) cut out. */
export function withoutCredentials(text: string, credentials: Array<string | undefined>): string {
  let out = text;
  for (const credential of credentials) {
    if (!credential) continue;
    // Both `Bearer xyz` and the bare token; a token cut off by the 200-character excerpt
    // still leaves its first 16 characters recognisable, so those go too.
    const bare = credential.replace(/^\S+\s+/, '');
    for (const secret of [credential, bare, bare.slice(0, 16)]) if (secret.length >= 8) out = out.split(secret).join('[credential]');
  }
  return out;
}

/** A Bearer challenge naming protected resource metadata: how an MCP server asks for an OAuth token (RFC 9728 §5.1). */
function oauthChallenge(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate') ?? '';
  return /^\s*bearer\b/i.test(challenge) && /\bresource_metadata\s*=/i.test(challenge);
}

function httpFailure(server: string, status: number, excerpt: string, hadSession: boolean, oauth: boolean, askedWait: number | undefined): string {
  if (status === 401 && oauth) {
    return `remote server '${server}' refused the request (HTTP 401) and asks for an OAuth token; log the firewall in with: mcp-firewall auth login ${argWord(server)}`;
  }
  if (status === 401) {
    return `remote server '${server}' refused the request (HTTP 401); give the firewall a credential for it with: mcp-firewall secrets set ${argWord(server)} AUTHORIZATION (or, if it uses OAuth: mcp-firewall auth login ${argWord(server)})`;
  }
  if (status === 403) {
    return `remote server '${server}' refused the request (HTTP ${status}); give the firewall a credential for it with: mcp-firewall secrets set ${argWord(server)} AUTHORIZATION`;
  }
  if (status === 404 && hadSession) return `remote server '${server}' no longer knows this session (HTTP 404); reconnect the server in your client`;
  // The client (or the model) decides when to try again: the server's own word on it goes along.
  const retry = askedWait ? ` and asks to be retried in ${secondsText(askedWait)} (Retry-After)` : '';
  return `remote server '${server}' answered HTTP ${status}${retry}${excerpt ? `: ${excerpt}` : ''}`;
}

/** A fetch that threw: `what` says how far it got (by default, it cannot tell). */
export function fetchFailure(target: { server: string; url: string }, error: unknown, what = 'is unreachable or hung up'): string {
  if (error instanceof AnswerTooLarge || error instanceof AnswerStreamIdle) return `remote server '${target.server}' at ${shownUrl(target.url)} ${error.message}`;
  // The cause's text is the network library's: a URL it names is shown as ours is.
  return `remote server '${target.server}' at ${shownUrl(target.url)} ${what}: ${shownUrlsIn(causeOf(error))}`;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
