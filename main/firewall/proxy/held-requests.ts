import { labelText } from './label-text.js';
import type { LookedKind, ManifestFilter } from './manifest-filter.js';

// The requests besides tools/call that reach what the pins hold: prompts/get (a prompt),
// resources/read (a URI a resource template describes) and completion/complete, which names
// a prompt (`ref/prompt`, by name) or a template (`ref/resource`, by its URI template). A
// completion for a held prompt's arguments runs the server's code for the changed prompt, and
// its values are picked into the very request the pins refuse: it is refused as a get is.

type Manifest = Pick<ManifestFilter, 'looking' | 'heldReason' | 'readsNeedCheck'>;

/**
 * A read (or a completion's `ref/resource`) whose URI is no string, while a template is held:
 * it was matched as its JSON (`["notes://7"]`), which no template fits, and passed on, and a
 * lenient server that takes the first element, or a default, could read through the held one.
 */
const NO_URI_REASON = 'the request names no URI (a string), so the firewall cannot tell whether a held resource template would serve it';

function heldReadReason(manifest: Manifest, uri: unknown): string | null {
  if (typeof uri !== 'string' && manifest.readsNeedCheck()) return NO_URI_REASON;
  return manifest.heldReason('resources/read', labelText(uri));
}

/**
 * What a completion names. Both fields are read whatever `type` says: a lenient server may
 * route by the field it finds, and a ref carrying both must pass both checks.
 */
function completionRef(params: unknown): { name?: unknown; uri?: unknown } {
  const ref = (params as { ref?: unknown } | null | undefined)?.ref;
  return ref !== null && typeof ref === 'object' ? ref : {};
}

/**
 * Whether a request of `method` needs the pins' word before it leaves (a batch holding one is
 * taken member by member): a get or a completion always, a read only while a template is held
 * or the templates could not be checked.
 */
export function needsPinDecision(manifest: Manifest, method: string): boolean {
  return method === 'prompts/get' || method === 'completion/complete' || (method === 'resources/read' && manifest.readsNeedCheck());
}

/** The firewall's own look (prompts, templates) under way that the request must wait for, or null. */
export function lookToWaitFor(manifest: Manifest, method: string, params: unknown): LookedKind | null {
  if (method === 'prompts/get') return manifest.looking('prompts') ? 'prompts' : null;
  if (method === 'resources/read') return manifest.looking('resourceTemplates') ? 'resourceTemplates' : null;
  if (method !== 'completion/complete') return null;
  const ref = completionRef(params);
  if (ref.name !== undefined && manifest.looking('prompts')) return 'prompts';
  if (ref.uri !== undefined && manifest.looking('resourceTemplates')) return 'resourceTemplates';
  return null;
}

/** The refusal for a request whose prompt or template is held (or could not be checked), or null. */
export function heldRefusal(manifest: Manifest, method: string, params: unknown): string | null {
  if (method === 'prompts/get') return holding('prompt', manifest.heldReason(method, labelText((params as { name?: unknown } | null)?.name)));
  if (method === 'resources/read') return holding('resource', heldReadReason(manifest, (params as { uri?: unknown } | null)?.uri));
  if (method !== 'completion/complete') return null;
  const ref = completionRef(params);
  const prompt = ref.name === undefined ? null : manifest.heldReason('prompts/get', labelText(ref.name));
  if (prompt !== null) return holding('prompt', prompt);
  return holding('resource template', ref.uri === undefined ? null : heldReadReason(manifest, ref.uri));
}

const holding = (what: string, reason: string | null): string | null => (reason === null ? null : `MCP Firewall is holding this ${what}: ${reason}`);
