import { UsageError, type CommandHandler } from '../command.js';
import { callEngine } from '../control-client.js';

export const pauseUsage = 'mcp-firewall pause [MINUTES] | mcp-firewall resume';

/** `pause`: nobody is asked for approval for a while (audited; hard denials still apply). */
export const pauseCommand: CommandHandler = async (args, io) => {
  const minutes = args[0] === undefined ? 15 : Number(args[0]);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new UsageError(`usage: ${pauseUsage}`);
  const { pausedUntil } = (await callEngine(io.env, 'POST', '/protection/pause', { minutes })) as { pausedUntil: string };
  io.stdout(`protection paused until ${pausedUntil}: calls that would ask go through (audited); DENY rules, the registry, pins and redaction still apply. Resume with: mcp-firewall resume\n`);
  return 0;
};

export const resumeCommand: CommandHandler = async (_args, io) => {
  await callEngine(io.env, 'POST', '/protection/resume');
  io.stdout('protection resumed\n');
  return 0;
};
