import { UsageError, type CommandHandler } from '../command.js';
import { callEngine } from '../control-client.js';

/** The engine's own limit (control API): said here as a usage error rather than an HTTP one. */
const MAX_PAUSE_MINUTES = 24 * 60;

export const pauseUsage = 'mcp-firewall pause [MINUTES] | mcp-firewall resume';

/** `pause`: the policy's routine approvals are not asked for a while (audited; findings still ask, hard denials still apply). */
export const pauseCommand: CommandHandler = async (args, io) => {
  if (args.length > 1) throw new UsageError(`unexpected argument '${args[1]}'\nusage: ${pauseUsage}`);
  const minutes = args[0] === undefined ? 15 : Number(args[0]);
  if (args[0]?.trim() === '' || !Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_PAUSE_MINUTES) {
    throw new UsageError(`MINUTES must be a number from 1 to ${MAX_PAUSE_MINUTES}, not '${args[0]}'\nusage: ${pauseUsage}`);
  }
  const { pausedUntil } = (await callEngine(io.env, 'POST', '/protection/pause', { minutes })) as { pausedUntil: string };
  io.stdout(`protection paused until ${pausedUntil}: calls the policy would ask about go through (audited); a finding (a secret in the arguments, untrusted text flowing into a write, a session guard) still asks, and DENY rules, the registry, pins and redaction still apply. Resume with: mcp-firewall resume\n`);
  return 0;
};

export const resumeCommand: CommandHandler = async (args, io) => {
  if (args.length > 0) throw new UsageError(`unexpected argument '${args[0]}'\nusage: ${pauseUsage}`);
  await callEngine(io.env, 'POST', '/protection/resume');
  io.stdout('protection resumed\n');
  return 0;
};
