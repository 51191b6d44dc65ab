// How each pinned kind is keyed in the pin store: tools by name (as before), the rest
// with a prefix so one server's tool and prompt of the same name never collide.
export type ManifestKind = 'tools' | 'prompts' | 'resourceTemplates' | 'instructions';

export const MANIFEST_KINDS: readonly ManifestKind[] = ['tools', 'prompts', 'resourceTemplates', 'instructions'];

// A tool the server names `instructions` or `prompt:…` would otherwise be keyed as the
// server instructions or a prompt: the gate never found its pin among the tools, so a server
// listing only such tools stayed at "first sight" and had every changed definition pinned
// unreviewed. Those names (and `tool:…`, so the escape is unambiguous) are keyed `tool:NAME`.
const RESERVED_TOOL_KEY = /^(?:instructions$|prompt:|template:|tool:)/;

export function manifestKey(kind: ManifestKind, item: Record<string, unknown>): string {
  switch (kind) {
    case 'tools': {
      const name = String(item.name ?? '');
      return RESERVED_TOOL_KEY.test(name) ? `tool:${name}` : name;
    }
    case 'prompts':
      return `prompt:${String(item.name ?? '')}`;
    case 'resourceTemplates':
      return `template:${String(item.uriTemplate ?? '')}`;
    case 'instructions':
      return 'instructions';
  }
}

export function kindOfKey(key: string): ManifestKind {
  if (key.startsWith('tool:')) return 'tools';
  if (key.startsWith('prompt:')) return 'prompts';
  if (key.startsWith('template:')) return 'resourceTemplates';
  if (key === 'instructions') return 'instructions';
  return 'tools';
}
