import { hasTokenPrefix, nameLooksSecret } from '../secret-shapes.js';
import { shownUrlsIn } from '../shown-url.js';

// A local launch line carries keys as often as a remote URL does: `npx mcp-remote
// https://host/mcp?api_key=…`, `--token=…`, `--header "Authorization: Bearer …"`, docker's
// `-e GITHUB_TOKEN=…`. Reasons that name a launch line go to the audit and to refusals the
// client, so the model, reads, where a key must never be. Display only: pins are compared whole.

const FLAG = /^--?[A-Za-z][\w.-]*$/;
const ASSIGNMENT = /^(-{0,2}[A-Za-z_][\w.-]*)=/;
const HEADER = /^([A-Za-z][\w-]*)\s*:\s*\S/;

/** A cookie header is a session, as secret as a token. Cutting one value too many is only a shorter text. */
const secretName = (name: string) => nameLooksSecret(name) || /cookie/i.test(name);

const shownPart = (arg: string): string => {
  const assignment = ASSIGNMENT.exec(arg);
  if (assignment && secretName(assignment[1]!)) return `${assignment[1]}=…`;
  // `--header=Authorization: Bearer …`: the flag's name is no secret, its value's is.
  if (assignment) return `${assignment[0]}${shownPart(arg.slice(assignment[0].length))}`;
  const header = HEADER.exec(arg);
  if (header && secretName(header[1]!)) return `${header[1]}: …`;
  if (hasTokenPrefix(arg)) return '…';
  return shownUrlsIn(arg);
};

/**
 * A local launch line's arguments as reasons show them: URLs as shownUrl shows them; values
 * of secret-named arguments, and arguments shaped like a known token, cut.
 */
export function shownArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    const before = args[i - 1];
    // `--token VALUE`: the value is the next argument (unless that is another flag).
    if (before !== undefined && FLAG.test(before) && secretName(before) && !arg.startsWith('-')) return '…';
    return shownPart(arg);
  });
}
