import { MAX_ROUTE_NAME_CHARS } from './route-url.js';
import type { DiscoveredServer } from './types.js';

// A server's name becomes the shim's `--server NAME` and a remote's `/mcp/NAME` route, and
// shows up in audit lines, notifications and `scan`'s table. Any name the shim can be given
// round-trips through the wrap line (wrap-line.ts reads flags positionally), so spaces,
// dots, unicode and leading dashes stay protectable; these cannot be carried, and protect
// leaves them with the reason rather than write a line that fails or a route that 404s.

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why protect cannot wrap or route `server` under its name; undefined: it can. */
export function serverNameProblem(server: DiscoveredServer): string | undefined {
  const name = server.name;
  // With "" the shim refuses to start, and the next protect, not reading that line as a wrap, would nest another.
  if (name === '') return 'empty server name';
  // NUL cannot be passed in argv at all; the rest would rewrite audit lines and terminals.
  if (CONTROL.test(name)) return `the server name ${JSON.stringify(name)} holds a control character`;
  if (server.transport !== 'http' && server.transport !== 'sse') return undefined;
  const route = 'which the firewall route /mcp/NAME cannot carry';
  // A URL resolves `.` and `..` away (`/mcp/..` is `/`), and a `/` ends the name.
  if (name === '.' || name === '..') return `the server name "${name}", ${route}`;
  if (name.includes('/')) return `the server name holds a "/", ${route}`;
  if (name.length > MAX_ROUTE_NAME_CHARS) return `the server name is longer than ${MAX_ROUTE_NAME_CHARS} characters, ${route}`;
  return undefined;
}
