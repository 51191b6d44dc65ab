import { hash } from 'node:crypto';

/** JSON with sorted keys, so equal arguments give equal digests whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function digestOf(value: unknown): string {
  // One-shot hash: a third of createHash()'s cost, and this runs on every tools/call.
  return `sha256:${hash('sha256', canonicalJson(value), 'hex')}`;
}
