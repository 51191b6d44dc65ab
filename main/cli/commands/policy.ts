import { formatPolicyError, loadPolicyFile } from '../../firewall/policy/load.js';
import { expectOnly, parseArgs } from '../args.js';
import { UsageError, type CommandHandler } from '../command.js';
import { callEngine } from '../control-client.js';

export const policyUsage = 'mcp-firewall policy check FILE | show [--json] | emergency on|off|status';

export const policyCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args, ['json']);
  expectOnly(parsed, ['json'], 2, policyUsage);
  const [verb, arg] = parsed.positional;
  if (verb === 'check') {
    if (!arg) throw new UsageError(`usage: ${policyUsage}`);
    const result = loadPolicyFile(arg);
    if (!result.ok) {
      for (const error of result.errors) io.stderr(`${formatPolicyError(error)}\n`);
      return 1;
    }
    io.stdout(`${arg}: OK (${result.spec.rules.length} rules, default ${result.spec.defaultDecision})\n`);
    return 0;
  }
  if (verb === 'show') {
    const status = (await callEngine(io.env, 'GET', '/policy')) as { file: string; loadedAt: string; errors: unknown[]; emergencyWriteApproval: boolean; policy: unknown };
    if (parsed.flags.has('json')) io.stdout(`${JSON.stringify(status, null, 2)}\n`);
    else {
      io.stdout(`policy file: ${status.file} (loaded ${status.loadedAt})\nemergency write approval: ${status.emergencyWriteApproval ? 'ON' : 'off'}\n`);
      if (status.errors.length) io.stdout(`the file on disk has errors; the last good policy is in force:\n${JSON.stringify(status.errors, null, 2)}\n`);
      io.stdout(`${JSON.stringify(status.policy, null, 2)}\n`);
    }
    return 0;
  }
  if (verb === 'emergency') {
    if (arg === 'status') {
      const status = (await callEngine(io.env, 'GET', '/policy')) as { emergencyWriteApproval: boolean };
      io.stdout(`emergency write approval: ${status.emergencyWriteApproval ? 'ON' : 'off'}\n`);
      return 0;
    }
    if (arg !== 'on' && arg !== 'off') throw new UsageError(`usage: ${policyUsage}`);
    await callEngine(io.env, 'POST', '/policy/emergency-write-approval', { enabled: arg === 'on' });
    io.stdout(`emergency write approval: ${arg === 'on' ? 'ON — every non-read action now needs approval' : 'off'}\n`);
    return 0;
  }
  throw new UsageError(`usage: ${policyUsage}`);
};
