import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

export interface ToolPin {
  name: string;
  digest: string;
}

export interface ManifestInput {
  tools: unknown[];
  instructions?: string | null;
  prompts?: unknown[];
  resourceTemplates?: unknown[];
}

export interface ManifestDigests {
  /** Tool name → digest. */
  tools: Record<string, string>;
  instructions?: string;
  prompts?: string;
  resourceTemplates?: string;
}

export interface PinComparison {
  unchanged: string[];
  drifted: string[];
  added: string[];
  removed: string[];
}

// Everything the model reads about a tool. `title` is beyond the minimum the design names,
// but clients show it and some feed it to the model, so a changed title is drift too.
// `_meta` and `icons` are left out: servers put volatile data there and the model does not
// read it, so pinning it would only produce noise.
export const PINNED_TOOL_FIELDS = ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const;

export function pinnedView(tool: unknown): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (tool === null || typeof tool !== 'object') return view;
  const record = tool as Record<string, unknown>;
  for (const field of PINNED_TOOL_FIELDS) {
    if (record[field] !== undefined) view[field] = record[field];
  }
  return view;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 (hex) of the canonical JSON of the pinned fields of one tool. */
export function toolDigest(tool: unknown): string {
  return sha256Hex(canonicalJson(pinnedView(tool)));
}

export function toolName(tool: unknown, index: number): string {
  const name = tool !== null && typeof tool === 'object' ? (tool as Record<string, unknown>).name : undefined;
  return typeof name === 'string' ? name : `<unnamed #${index}>`;
}

// Prompts and templates are hashed as a set: a server that merely reorders its list has not
// changed what it offers, but any added, removed or edited entry changes the digest.
function setDigest(items: unknown[]): string {
  const members = items.map((item) => canonicalJson(item)).sort();
  return sha256Hex(`[${members.join(',')}]`);
}

export function manifestDigests(manifest: ManifestInput): ManifestDigests {
  const tools: Record<string, string> = {};
  const duplicates = new Map<string, string[]>();
  manifest.tools.forEach((tool, i) => {
    const name = toolName(tool, i);
    const digest = toolDigest(tool);
    const seen = duplicates.get(name);
    if (seen) seen.push(digest);
    else duplicates.set(name, [digest]);
    tools[name] = digest;
  });
  // Two tools with one name is itself suspicious (which one does the client call?); fold
  // both into the pin so changing either one drifts.
  for (const [name, digests] of duplicates) {
    if (digests.length > 1) tools[name] = sha256Hex(digests.sort().join('\n'));
  }
  const out: ManifestDigests = { tools };
  if (typeof manifest.instructions === 'string') out.instructions = sha256Hex(manifest.instructions);
  if (manifest.prompts !== undefined) out.prompts = setDigest(manifest.prompts);
  if (manifest.resourceTemplates !== undefined) out.resourceTemplates = setDigest(manifest.resourceTemplates);
  return out;
}

export function toolPins(manifest: ManifestInput): ToolPin[] {
  return Object.entries(manifestDigests(manifest).tools).map(([name, digest]) => ({ name, digest }));
}

export function compareToPins(pinned: Record<string, string>, current: Record<string, string>): PinComparison {
  const result: PinComparison = { unchanged: [], drifted: [], added: [], removed: [] };
  for (const name of Object.keys(current).sort()) {
    const before = Object.hasOwn(pinned, name) ? pinned[name] : undefined;
    if (before === undefined) result.added.push(name);
    else if (before === current[name]) result.unchanged.push(name);
    else result.drifted.push(name);
  }
  for (const name of Object.keys(pinned).sort()) {
    if (!Object.hasOwn(current, name)) result.removed.push(name);
  }
  return result;
}
