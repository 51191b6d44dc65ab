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

// Everything the model reads about a tool, and everything the host acts on. `title` is
// beyond the minimum the design names, but clients show it and some feed it to the model.
// `execution` says how the tool runs (taskSupport: a call answered later, as a task);
// `icons` are URLs a client fetches and shows (a swapped icon can pass for another tool, or
// track who looks); `_meta` carries what hosts render and obey: MCP Apps' `ui.resourceUri`
// (a UI the host shows in the conversation), `ui.visibility` (who may call the tool), the
// legacy `ui/resourceUri`, vendor keys such as `openai/outputTemplate`. All of `_meta` is
// pinned: no list of keys can know what a host does with a vendor's key, and a tool's
// `_meta` is part of its definition, as static as its description (server-everything sends
// none; SDK helpers write only declarations there). Data about one answer goes in the
// result's own `_meta`, which is not pinned.
export const PINNED_TOOL_FIELDS = ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations', 'execution', 'icons', '_meta'] as const;

/**
 * Which fields a digest covers. Version 1 (pins made before execution, icons and _meta
 * were pinned) is kept to recognise an old pin of an unchanged tool; see reviewManifest.
 */
export const TOOL_DIGEST_VERSION = 2;
const FIELDS_OF_VERSION: Record<number, readonly string[]> = {
  1: ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'],
  2: PINNED_TOOL_FIELDS,
};

/**
 * The pinned fields of a tool, with what says nothing removed: `taskSupport: "forbidden"`
 * is the spec's default (the TypeScript SDK writes it on every tool, older servers leave it
 * out), and an empty `execution` or `_meta` is no execution or `_meta` at all. Without this
 * a server's SDK upgrade would read as drift of every tool.
 */
/**
 * What a review of a held item compares, field by field. A tool is digested over its
 * pinned fields; a prompt, a resource template or the server's instructions is digested
 * whole (`whole`), so every field either version has is compared — the instructions' `text`,
 * a prompt's `arguments` — or a change to them would read as "no change".
 */
export function reviewedFields(before: unknown, after: unknown, whole: boolean): { a: Record<string, unknown>; b: Record<string, unknown>; fields: string[] } {
  if (!whole) return { a: pinnedView(before), b: pinnedView(after), fields: [...PINNED_TOOL_FIELDS] };
  const asRecord = (item: unknown) => (item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : {});
  const [a, b] = [asRecord(before), asRecord(after)];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  // The identifying fields first, as for a tool.
  const first = ['name', 'uriTemplate'].filter((k) => keys.includes(k));
  return { a, b, fields: [...first, ...keys.filter((k) => !first.includes(k))] };
}

export function pinnedView(tool: unknown, version: number = TOOL_DIGEST_VERSION): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (tool === null || typeof tool !== 'object') return view;
  const record = tool as Record<string, unknown>;
  for (const field of FIELDS_OF_VERSION[version] ?? PINNED_TOOL_FIELDS) {
    const value = field === 'execution' ? withoutDefaultExecution(record[field]) : record[field];
    if (value === undefined) continue;
    if ((field === 'execution' || field === '_meta') && isEmptyObject(value)) continue;
    view[field] = value;
  }
  return view;
}

function withoutDefaultExecution(execution: unknown): unknown {
  if (!execution || typeof execution !== 'object' || Array.isArray(execution)) return execution;
  const { taskSupport, ...rest } = execution as Record<string, unknown>;
  return taskSupport === 'forbidden' ? rest : execution;
}

function isEmptyObject(value: unknown): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 (hex) of the canonical JSON of the pinned fields of one tool, as digest `version` names them. */
export function toolDigest(tool: unknown, version: number = TOOL_DIGEST_VERSION): string {
  return sha256Hex(canonicalJson(pinnedView(tool, version)));
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
