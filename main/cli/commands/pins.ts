import type { PinDiff } from '../../firewall/api/pin-routes.js';
import { makeVisible, oneLineName } from '../../firewall/manifest/visible-text.js';
import { heldSetDigest, shortVersion } from '../../firewall/pins/reviewed-version.js';
import { expectOnly, parseArgs, stringFlag } from '../args.js';
import { UsageError, type CommandHandler } from '../command.js';
import { callEngine } from '../control-client.js';
import { formatTable } from './output.js';
import { argWord, shellWord } from '../../firewall/shell-word.js';

export const pinsUsage = 'mcp-firewall pins list [SERVER] [--json] | diff SERVER [--tool T] | accept SERVER [--tool T] --digest D | keep-blocked SERVER --tool T --digest D | window open TICKET [--minutes N] | window close';

const MAX_WINDOW_MINUTES = 24 * 60;

// A tool's name is the server's to choose: quoted for a POSIX shell when it is more than a plain word.

interface PinsListing {
  pins: Array<{ server: string; tool: string; digest: string; pinnedAt: string }>;
  pending: Array<{ server: string; tool: string; digest: string; kind: string; reason: string; firstSeen: string }>;
  deployWindow: { ticket: string; until: string } | null;
}

export const pinsCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args, ['json']);
  // `window open TICKET` is the one form with three words.
  expectOnly(parsed, ['json', 'tool', 'minutes', 'digest'], parsed.positional[0] === 'window' ? 3 : 2, pinsUsage);
  const [verb, target, extra] = parsed.positional;
  const tool = stringFlag(parsed, 'tool');
  if (verb === 'list') {
    const listing = (await callEngine(io.env, 'GET', `/pins${target ? `?server=${encodeURIComponent(target)}` : ''}`)) as PinsListing;
    if (parsed.flags.has('json')) {
      io.stdout(`${JSON.stringify(listing, null, 2)}\n`);
      return 0;
    }
    io.stdout(formatTable(['server', 'tool', 'digest', 'pinnedAt'], listing.pins.map((p) => ({ ...p, digest: p.digest.slice(0, 16) }))));
    if (listing.pending.length > 0) {
      io.stdout(`\nheld until accepted:\n${formatTable(['server', 'tool', 'version', 'kind', 'reason'], listing.pending.map((p) => ({ ...p, version: shortVersion(p.digest) })))}`);
    }
    if (listing.deployWindow) io.stdout(`\ndeploy window open for ${listing.deployWindow.ticket} until ${listing.deployWindow.until}\n`);
    return 0;
  }
  if (verb === 'diff' && target) {
    const diffs = (await callEngine(io.env, 'GET', `/pins/${encodeURIComponent(target)}/diff${tool ? `?tool=${encodeURIComponent(tool)}` : ''}`)) as PinDiff[];
    if (diffs.length === 0) io.stdout(`nothing held for ${target}\n`);
    // Names (and the cue paths in a reason) are the server's: spelled out, so a name with
    // terminal escapes cannot erase the diff printed above it before "accept … above".
    for (const d of diffs) io.stdout(`── ${oneLineName(d.server)}/${oneLineName(d.tool)} (${d.kind}) version ${shortVersion(d.digest)}: ${makeVisible(d.reason)}\n${d.diff}\n\n`);
    // The command to accept what was just shown, and nothing the server changed or added after.
    if (tool && diffs.length > 0) {
      const named = `--tool ${shellWord(tool)} --digest ${shortVersion(diffs[0]!.digest)} ${argWord(target)}`;
      io.stdout(`to accept this version: mcp-firewall pins accept ${named}\nto keep it blocked: mcp-firewall pins keep-blocked ${named}\n`);
    }
    else if (diffs.length > 0) io.stdout(`to accept the ${diffs.length} held version(s) above: mcp-firewall pins accept --digest ${shortVersion(heldSetDigest(diffs))} ${argWord(target)}\n`);
    return 0;
  }
  if (verb === 'accept' && target) {
    const digest = stringFlag(parsed, 'digest');
    if (!digest) throw new UsageError(`pins accept needs --digest, the version \`mcp-firewall pins diff ${shellWord(target)}${tool ? ' --tool …' : ''}\` prints: only what you reviewed is accepted`);
    const result = (await callEngine(io.env, 'POST', `/pins/${encodeURIComponent(target)}/accept`, tool ? { tool, digest } : { digest })) as { accepted: string[] };
    io.stdout(`${target}: accepted and pinned ${result.accepted.map((name) => oneLineName(name)).join(', ')}\n`);
    return 0;
  }
  if (verb === 'keep-blocked' && target) {
    // The dashboard's Keep blocked: the version stays hidden either way; the audit row records that a person decided so.
    const digest = stringFlag(parsed, 'digest');
    if (!tool || !digest) {
      throw new UsageError(`pins keep-blocked needs --tool and --digest, the version \`mcp-firewall pins diff ${shellWord(target)} --tool …\` prints: only what you reviewed is recorded`);
    }
    await callEngine(io.env, 'POST', `/pins/${encodeURIComponent(target)}/keep-blocked`, { tool, digest });
    io.stdout(`${target}: ${oneLineName(tool)} version ${shortVersion(digest)} kept blocked (hidden from clients, its calls denied)\n`);
    return 0;
  }
  if (verb === 'window' && (target === 'open' || target === 'close')) {
    if (target === 'close') {
      await callEngine(io.env, 'POST', '/pins/window', { close: true });
      io.stdout('deploy window closed: manifest drift is blocked again\n');
      return 0;
    }
    if (!extra) throw new UsageError(`usage: ${pinsUsage}`);
    const minutesText = stringFlag(parsed, 'minutes') ?? '60';
    const minutes = Number(minutesText);
    // A deploy window lets drift through: a typo must not open one for the default hour, or for years.
    if (minutesText.trim() === '' || !Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_WINDOW_MINUTES) {
      throw new UsageError(`--minutes must be a number from 1 to ${MAX_WINDOW_MINUTES}, not '${minutesText}'`);
    }
    const result = (await callEngine(io.env, 'POST', '/pins/window', { ticket: extra, minutes })) as { deployWindow: { until: string } };
    io.stdout(`deploy window open for ${extra} until ${result.deployWindow.until}: drift is recorded, not blocked\n`);
    return 0;
  }
  throw new UsageError(`usage: ${pinsUsage}`);
};
