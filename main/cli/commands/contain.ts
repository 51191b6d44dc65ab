import { parseArgs } from '../args.js';
import { UsageError, type CommandHandler } from '../command.js';
import { callEngine, EngineNotRunning } from '../control-client.js';
import type { TokenRevocation } from '../../firewall/identity/revoke-held.js';
import { argWord } from '../../firewall/shell-word.js';

export const containUsage = 'mcp-firewall contain SERVER';

/**
 * The seed's containment script, step for step, against the running engine. Every step runs
 * whatever became of the one before; a script must still be able to tell that containment
 * is not whole: a server that could not be disabled (not in the registry), credentials that
 * could not be removed (or not known to be gone, the keychain unlisted), or write approval
 * not forced make it exit 1, naming what was done and what was not.
 */
export const containCommand: CommandHandler = async (args, io) => {
  // `contain -- --odd-name`: parseArgs reads what follows `--` as the name.
  const { positional, flags } = parseArgs(args);
  const [server] = positional;
  if (!server || positional.length > 1 || flags.size > 0) throw new UsageError(`usage: ${containUsage}`);
  io.stdout(`[1/3] disabling server in registry: ${server}\n`);
  let notDisabled: string | undefined;
  try {
    await callEngine(io.env, 'POST', `/registry/${encodeURIComponent(server)}/disable`);
  } catch (error) {
    // With no engine no step can run: said once, as every command says it.
    if (error instanceof EngineNotRunning) throw error;
    // A name the registry does not have (mistyped, or a server never approved): its
    // credentials and the write approval for every server still matter, so the steps go on.
    notDisabled = (error as Error).message;
    io.stdout(`      failed: ${notDisabled}\n`);
  }
  io.stdout(`[2/3] revoking active tokens for server: ${server}\n`);
  let credentialsInDoubt: string | undefined;
  try {
    const { revoked, authorizationServer, keychainError, grantsForgotten = 0 } = (await callEngine(io.env, 'POST', '/tokens/revoke', { audience: server })) as TokenRevocation & { grantsForgotten?: number };
    // Without a listing, "none held" would be a guess: the doubt is said, not hidden.
    if (keychainError !== undefined) io.stdout(`      warning: the OS keychain could not be listed (${keychainError}); credentials not in the firewall's index may remain\n`);
    io.stdout(`      ${revoked.length ? `revoked ${revoked.join(', ')}` : keychainError === undefined ? 'no credentials were held for it' : 'no indexed credentials were held for it'}\n`);
    if (grantsForgotten > 0) io.stdout(`      forgot ${grantsForgotten} remembered approval${grantsForgotten === 1 ? '' : 's'} ("session"/"always"): its writes are asked for again\n`);
    // An OAuth login: whether its authorization server revoked the tokens too (containment goes on either way).
    if (authorizationServer) io.stdout(`      ${authorizationServer.status === 'revoked' ? '' : 'warning: '}${authorizationServer.message}\n`);
    if (keychainError !== undefined) {
      credentialsInDoubt = `the OS keychain could not be listed (${keychainError}), so credentials for '${server}' that the firewall's index does not name may still be in it${revoked.length ? ` (${revoked.join(', ')} were removed)` : ''}`;
    }
  } catch (error) {
    // A keychain that failed us leaves credentials in doubt: step 3 still runs, then the failure is the answer.
    credentialsInDoubt = `its credentials were not all removed from the OS keychain: ${(error as Error).message}`;
  }
  io.stdout('[3/3] forcing approval mode on all write actions\n');
  let notForced: string | undefined;
  try {
    await callEngine(io.env, 'POST', '/policy/emergency-write-approval', { enabled: true });
  } catch (error) {
    notForced = (error as Error).message;
    io.stdout(`      failed: ${notForced}\n`);
  }
  if (notDisabled !== undefined || credentialsInDoubt !== undefined || notForced !== undefined) {
    const done = [notDisabled === undefined && 'it is disabled', notForced === undefined && 'every write action now needs approval'].filter(Boolean);
    const missing = [
      notDisabled !== undefined && `it was not disabled (${notDisabled})`,
      notForced !== undefined && `write approval was not forced (${notForced})`,
      credentialsInDoubt,
    ].filter(Boolean);
    const again = `run 'mcp-firewall contain ${argWord(server)}' again`;
    const advice = [
      notDisabled !== undefined && `check the name with 'mcp-firewall registry list'`,
      notForced !== undefined && `turn write approval on with 'mcp-firewall policy emergency on'`,
      credentialsInDoubt !== undefined && `unlock the keychain (or run where one is reachable) and ${again}, or remove them by hand; rotate them at their issuer if in doubt`,
    ].filter(Boolean);
    if (credentialsInDoubt === undefined) advice.push(`then ${again}`);
    const todo = advice.join('; ');
    io.stderr(`contain: containment of '${server}' is INCOMPLETE: ${done.length ? done.join(' and ') : 'no step was done'}, but ${missing.join('; ')}. ${todo.charAt(0).toUpperCase()}${todo.slice(1)}\n`);
    return 1;
  }
  io.stdout(`Containment completed for ${server}\n`);
  return 0;
};
