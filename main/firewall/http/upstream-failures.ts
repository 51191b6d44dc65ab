import { AnswerTooLarge, readExcerpt } from './answer-limits.js';

// Why a request to a remote server failed, in the words both adapters give the client.

/** An HTTP error answer, with the start of its body: often the server's own explanation. */
export async function answerFailure(server: string, response: Response, hadSession: boolean): Promise<string> {
  const excerpt = await readExcerpt(response, 200);
  return httpFailure(server, response.status, excerpt, hadSession, oauthChallenge(response));
}

/** A Bearer challenge naming protected resource metadata: how an MCP server asks for an OAuth token (RFC 9728 §5.1). */
function oauthChallenge(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate') ?? '';
  return /^\s*bearer\b/i.test(challenge) && /\bresource_metadata\s*=/i.test(challenge);
}

function httpFailure(server: string, status: number, excerpt: string, hadSession: boolean, oauth: boolean): string {
  if (status === 401 && oauth) {
    return `remote server '${server}' refused the request (HTTP 401) and asks for an OAuth token; log the firewall in with: mcp-firewall auth login ${server}`;
  }
  if (status === 401) {
    return `remote server '${server}' refused the request (HTTP 401); give the firewall a credential for it with: mcp-firewall secrets set ${server} AUTHORIZATION (or, if it uses OAuth: mcp-firewall auth login ${server})`;
  }
  if (status === 403) {
    return `remote server '${server}' refused the request (HTTP ${status}); give the firewall a credential for it with: mcp-firewall secrets set ${server} AUTHORIZATION`;
  }
  if (status === 404 && hadSession) return `remote server '${server}' no longer knows this session (HTTP 404); reconnect the server in your client`;
  return `remote server '${server}' answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
}

/** A fetch that threw: `what` says how far it got (by default, it cannot tell). */
export function fetchFailure(target: { server: string; url: string }, error: unknown, what = 'is unreachable or hung up'): string {
  if (error instanceof AnswerTooLarge) return `remote server '${target.server}' at ${target.url} ${error.message}`;
  return `remote server '${target.server}' at ${target.url} ${what}: ${causeOf(error)}`;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
