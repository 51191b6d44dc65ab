import { kindOfKey, type ManifestKind } from '../pins/manifest-keys.js';
import { mayServe, readUriOf, templateShape, type TemplateShape } from '../pins/template-match.js';

const TEMPLATE_KEY_PREFIX = 'template:';

/**
 * Holds kept per kind. What is held is the server's to decide: one that lists fresh names on
 * every list_changed (each new, so each held) grew the map for as long as the session lasted.
 * Holds of tools and prompts the server no longer lists are let go when a look goes through
 * (listed()), so the map follows the server's latest listing; past the bound a hold is not
 * kept, and the firewall, no longer knowing what is held, refuses every request of that kind
 * instead (overflow()). Every read is matched against each held template: at the bound,
 * ~1.7 ms a read.
 */
export const MAX_HELD = 10_000;

/** The kinds whose holds are let go once the server no longer lists their names. */
export type ListedKind = 'tools' | 'prompts';

export interface HeldItems {
  /** Why `key` is held, or null. */
  get(key: string): string | null;
  /** Holds `key` for `reason`, or lets it go (undefined). Past MAX_HELD of its kind the hold is not kept: overflow(kind) says so. */
  set(key: string, reason: string | undefined): void;
  /** Why a read of `uri` is refused: it matches a held template; or null. */
  templateReason(uri: string): string | null;
  /** Whether a read needs matching: a template is held, or a template's hold could not be kept. */
  readsNeedCheck(): boolean;
  /** Why every request reaching `kind` is refused (a hold of it was not kept), or null. Read on every call. */
  overflow(kind: ManifestKind): string | null;
  /** Taken when a look at `kind` begins, for listed(). */
  mark(kind: ListedKind): number;
  /**
   * A look at `kind` that began at `mark` went through, listing the keys `isListed` says.
   * Holds of keys it did not list are let go: what counts as listed follows that look, so their
   * requests are refused as never listed. If no hold of `kind` went unkept since `mark`, every
   * hold that matters is known again and overflow(kind) ends (a hold unkept before the look
   * began is of a name the look listed, and checked again, or of one now refused as unlisted).
   */
  listed(kind: ListedKind, isListed: (key: string) => boolean, mark: number): void;
}

const NOUNS: Record<ManifestKind, string> = { tools: 'tools', prompts: 'prompts', resourceTemplates: 'resource templates', instructions: 'instructions' };

export function createHeldItems(server: string, limit = MAX_HELD): HeldItems {
  // Held items by pin key (tools by name, `prompt:` and `template:` prefixed, `instructions`).
  const held = new Map<string, string>();
  const counts: Record<ManifestKind, number> = { tools: 0, prompts: 0, resourceTemplates: 0, instructions: 0 };
  // Holds not kept, counted; and the count a look that went through has answered for.
  const unkept: Record<ManifestKind, number> = { tools: 0, prompts: 0, resourceTemplates: 0, instructions: 0 };
  const answered: Record<ManifestKind, number> = { tools: 0, prompts: 0, resourceTemplates: 0, instructions: 0 };
  // The held templates apart, by their uriTemplate, with the shape a read is matched against
  // (taken once here: every resources/read is matched against each of them).
  const heldTemplates = new Map<string, { reason: string; shape: TemplateShape }>();

  function release(key: string): void {
    if (!held.delete(key)) return;
    const kind = kindOfKey(key);
    counts[kind] -= 1;
    if (kind === 'resourceTemplates') heldTemplates.delete(key.slice(TEMPLATE_KEY_PREFIX.length));
  }

  return {
    get: (key) => held.get(key) ?? null,
    set(key, reason) {
      if (reason === undefined) return release(key);
      const kind = kindOfKey(key);
      if (!held.has(key)) {
        if (counts[kind] >= limit) return void (unkept[kind] += 1);
        counts[kind] += 1;
      }
      held.set(key, reason);
      if (kind !== 'resourceTemplates') return;
      const template = key.slice(TEMPLATE_KEY_PREFIX.length);
      heldTemplates.set(template, { reason, shape: heldTemplates.get(template)?.shape ?? templateShape(template) });
    },
    templateReason(uri) {
      if (heldTemplates.size === 0) return null;
      const read = readUriOf(uri);
      for (const [template, { reason, shape }] of heldTemplates) {
        if (mayServe(shape, read)) return `it matches the resource template ${JSON.stringify(template.slice(0, 200))}, which is held: ${reason}`;
      }
      return null;
    },
    readsNeedCheck: () => heldTemplates.size > 0 || unkept.resourceTemplates > answered.resourceTemplates,
    overflow(kind) {
      if (unkept[kind] === answered[kind]) return null;
      // Templates are never let go by a look (a read needs no listed template), so for them it lasts the session.
      const until = kind === 'tools' || kind === 'prompts' ? 'until a look of its own that keeps every hold goes through' : 'for the rest of this session';
      return `'${server}' had more than ${limit} ${NOUNS[kind]} held at once, more than the firewall keeps track of, so it refuses them all ${until}`;
    },
    mark: (kind) => unkept[kind],
    listed(kind, isListed, mark) {
      for (const key of [...held.keys()]) if (kindOfKey(key) === kind && !isListed(key)) release(key);
      if (unkept[kind] === mark) answered[kind] = mark;
    },
  };
}
