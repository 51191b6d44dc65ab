import { sha256Hex } from '../jsonrpc/sha256.js';

// A person accepts the version they read, never "whatever is held now": a server can swap the
// held definition (list_changed, then a new list) between the diff being read and Accept, and
// accepting a whole server took in tools that appeared in that gap too. So every accept names
// the digest it reviewed: a tool's own, or for "all held" one digest over the set shown.

/** Hex characters of a digest `pins diff` prints: 64 bits, so no other definition is made to match it. */
export const SHORT_VERSION_CHARS = 16;

// Tool digests are plain hex; prompts, templates and instructions carry a `sha256:` prefix.
const hexOf = (digest: string) => digest.replace(/^sha256:/, '');

/** The short form of a held version that `pins diff` and `pins list` print. */
export const shortVersion = (digest: string): string => hexOf(digest).slice(0, SHORT_VERSION_CHARS);

/** Whether `given` (the whole digest, or at least SHORT_VERSION_CHARS of its hex) names `digest`. */
export function namesVersion(digest: string, given: string): boolean {
  if (given === digest) return true;
  const hex = hexOf(given).toLowerCase();
  return hex.length >= SHORT_VERSION_CHARS && /^[0-9a-f]+$/.test(hex) && hexOf(digest).startsWith(hex);
}

/** One digest over a set of held versions, whatever their order. */
export function heldSetDigest(versions: ReadonlyArray<{ tool: string; digest: string }>): string {
  const lines = versions.map((v) => JSON.stringify([v.tool, v.digest])).sort();
  return sha256Hex(lines.join('\n'));
}

/** The held versions differ from those the person reviewed: nothing was accepted (or kept blocked). */
export class StaleReviewError extends Error {}

/** Throws StaleReviewError unless `reviewed` names `held`, the digest of the version of `tool` held now. */
export function requireReviewedVersion(server: string, tool: string, held: string, reviewed: string): void {
  if (namesVersion(held, reviewed)) return;
  throw new StaleReviewError(
    `the server changed '${tool}' again since you looked (held version now ${shortVersion(held)}, you reviewed ${reviewed.slice(0, 24)}); nothing was recorded for '${server}': review the new diff`,
  );
}
