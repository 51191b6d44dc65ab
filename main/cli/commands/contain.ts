import { UsageError, type CommandHandler } from '../command.js';
import { callEngine } from '../control-client.js';
import type { TokenRevocation } from '../../firewall/identity/revoke-held.js';

export const containUsage = 'mcp-firewall contain SERVER';

/** The seed's containment script, step for step, against the running engine. */
export const containCommand: CommandHandler = async (args, io) => {
  const [server] = args;
  if (!server || args.length > 1 || server.startsWith('--')) throw new UsageError(`usage: ${containUsage}`);
  io.stdout(`[1/3] disabling server in registry: ${server}\n`);
  await callEngine(io.env, 'POST', `/registry/${encodeURIComponent(server)}/disable`);
  io.stdout(`[2/3] revoking active tokens for server: ${server}\n`);
  const { revoked, authorizationServer, grantsForgotten = 0 } = (await callEngine(io.env, 'POST', '/tokens/revoke', { audience: server })) as TokenRevocation & { grantsForgotten?: number };
  io.stdout(`      ${revoked.length ? `revoked ${revoked.join(', ')}` : 'no credentials were held for it'}\n`);
  if (grantsForgotten > 0) io.stdout(`      forgot ${grantsForgotten} remembered approval${grantsForgotten === 1 ? '' : 's'} ("session"/"always"): its writes are asked for again\n`);
  // An OAuth login: whether its authorization server revoked the tokens too (containment goes on either way).
  if (authorizationServer) io.stdout(`      ${authorizationServer.status === 'revoked' ? '' : 'warning: '}${authorizationServer.message}\n`);
  io.stdout('[3/3] forcing approval mode on all write actions\n');
  await callEngine(io.env, 'POST', '/policy/emergency-write-approval', { enabled: true });
  io.stdout(`Containment completed for ${server}\n`);
  return 0;
};
