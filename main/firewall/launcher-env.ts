/**
 * Set by the desktop app's shim launcher when it added ELECTRON_RUN_AS_NODE itself (the
 * client had not set it). The app's binary needs the variable to run as Node; the server
 * the shim spawns must get the client's environment, not ours.
 */
export const LAUNCHER_ADDED_RUN_AS_NODE = 'MCP_FIREWALL_ADDED_RUN_AS_NODE';

/** Takes out of `env` what the launcher added, so the server sees the client's environment. */
export function dropLauncherEnv(env: NodeJS.ProcessEnv): void {
  if (env[LAUNCHER_ADDED_RUN_AS_NODE] === undefined) return;
  delete env.ELECTRON_RUN_AS_NODE;
  delete env[LAUNCHER_ADDED_RUN_AS_NODE];
}
