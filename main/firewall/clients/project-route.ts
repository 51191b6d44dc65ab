import type { ConfigFileSpec, DiscoveredServer } from './types.js';

// A routed entry's URL carries this install's route key, and the key opens every
// `/mcp/NAME` route, with the user's keychain credentials, to whoever holds it
// (route-key.ts). Project files (.mcp.json, .cursor/mcp.json, .vscode/mcp.json, …) are
// shared with the repo and often committed: a key written there leaks with the next push,
// so protect routes no remote entry in them; the user's own config is the place for one.

/** A file shared with a project's repository, where a route key must not go. */
export const isProjectFile = (spec: ConfigFileSpec): boolean => spec.scope === 'project';

/** How to put the server where protect may route it: Claude Code's own command, else in words. */
function userScopeHint(server: DiscoveredServer): string {
  if (server.client !== 'claude-code') return `add it to ${server.client}'s user config instead`;
  return `add it at user scope instead (claude mcp add --transport ${server.transport} ${server.name} <url>) and remove it here`;
}

/** Why a remote entry of a project file is not routed, or (routed) what to do about the key it holds. */
export function projectRouteDetail(server: DiscoveredServer, routed: boolean): string {
  const then = `${userScopeHint(server)}, then run mcp-firewall protect`;
  if (routed) {
    return `this project file holds a firewall route with this install's route key, which opens every route with your credentials to whoever reads the file (it may be committed): run mcp-firewall unprotect --client ${server.client} in the project, ${then}`;
  }
  return `in a project file (shared with the repo, often committed), a firewall route would put this install's route key there, and the key opens every route with your credentials: not routed, left as is; ${then}`;
}
