// How each pinned kind is keyed in the pin store: tools by name (as before), the rest
// with a prefix so one server's tool and prompt of the same name never collide.
export type ManifestKind = 'tools' | 'prompts' | 'resourceTemplates' | 'instructions';

export const MANIFEST_KINDS: readonly ManifestKind[] = ['tools', 'prompts', 'resourceTemplates', 'instructions'];

export function manifestKey(kind: ManifestKind, item: Record<string, unknown>): string {
  switch (kind) {
    case 'tools':
      return String(item.name ?? '');
    case 'prompts':
      return `prompt:${String(item.name ?? '')}`;
    case 'resourceTemplates':
      return `template:${String(item.uriTemplate ?? '')}`;
    case 'instructions':
      return 'instructions';
  }
}

export function kindOfKey(key: string): ManifestKind {
  if (key.startsWith('prompt:')) return 'prompts';
  if (key.startsWith('template:')) return 'resourceTemplates';
  if (key === 'instructions') return 'instructions';
  return 'tools';
}
