import { argWord } from '../shell-word.js';

// Step-up (the MCP authorization spec's "insufficient scope"): a remote server answers 403
// with `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` when the token is
// good but lacks a scope a request needs. The firewall cannot ask the user from inside a
// session, so the client is told the exact command that gets a token with enough scope.
// Nothing in the challenge is followed (no URL is fetched, no login started): the scope is
// only repeated, and only when it cannot do anything but name scopes in a shell command.

/** The auth-params of a `Bearer` challenge (RFC 6750 §3), or null when the header is not one. */
export function bearerChallenge(header: string | null): Map<string, string> | null {
  const match = header ? /^\s*bearer(?:\s+(.*))?$/is.exec(header) : null;
  if (!match) return null;
  const params = new Map<string, string>();
  // name=token or name="quoted string"; a quoted-pair (\x) stands for x.
  for (const [, name, quoted, bare] of (match[1] ?? '').matchAll(/([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    const key = name!.toLowerCase();
    if (!params.has(key)) params.set(key, quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare!);
  }
  return params;
}

/** The scope a 403 asks for, when it is an `insufficient_scope` challenge; null when it is any other 403. */
export function insufficientScope(response: Response): { scope: string | undefined } | null {
  if (response.status !== 403) return null;
  const params = bearerChallenge(response.headers.get('www-authenticate'));
  if (params?.get('error') !== 'insufficient_scope') return null;
  return { scope: params.get('scope') };
}

/**
 * A scope token (RFC 6749 §3.3) of the kinds real servers use (`repo`, `read:org`,
 * `https://…/auth/drive.readonly`), and nothing a shell or cmd would read inside double
 * quotes (`$`, backtick, `!`, `"`, `\`, `%`). The command is meant to be copied and run, so
 * a scope a server chose must not be able to make it do anything else.
 */
export const SAFE_SCOPE = /^[A-Za-z0-9_.:/@+=,~*#-]{1,128}$/;
const MAX_SCOPES = 32;

function scopes(value: string | undefined): string[] {
  return (value ?? '').split(' ').filter((s) => s !== '');
}

/** The login's scopes, then the ones asked for that it lacks; null when any is unsafe to repeat. */
export function stepUpScope(granted: string | undefined, asked: string | undefined): string | null {
  const all = [...new Set([...scopes(granted), ...scopes(asked)])];
  if (all.length === 0 || all.length > MAX_SCOPES || !all.every((s) => SAFE_SCOPE.test(s))) return null;
  return all.join(' ');
}

/** What the client is told (the -32004 error) and the audit keeps: the exact command, or why there is none. */
export function stepUpFailure(server: string, granted: string | undefined, asked: string | undefined): string {
  const refused = `remote server '${server}' refused the request (HTTP 403): the firewall's OAuth token lacks a scope it needs`;
  const union = stepUpScope(granted, asked);
  if (asked === undefined || scopes(asked).length === 0) {
    return `${refused}, and the server did not say which; log in again with the scope its documentation names: mcp-firewall auth login --scope "SCOPES" ${argWord(server)}`;
  }
  if (union === null) {
    return `${refused}, but the scope it asked for is not one the firewall repeats in a command (unusual characters or too many); check the server's documentation, then: mcp-firewall auth login --scope "SCOPES" ${argWord(server)}`;
  }
  return `${refused} (${scopes(asked).join(' ')}); log in again with it: mcp-firewall auth login --scope "${union}" ${argWord(server)}`;
}
