import type { Finding } from './types.js';

/**
 * Secrets and personal data become a typed placeholder; invisible characters and ANSI
 * escapes are dropped; instructions aimed at the model stay readable but fenced, so
 * the model sees them as quoted data from a tool rather than as its own instructions.
 */
export function replacementFor(f: Finding, original: string): string {
  if (f.family !== 'injection') return `[REDACTED:${f.type}]`;
  if (f.type === 'instruction') return `[UNTRUSTED-INSTRUCTION: ${original}]`;
  return '';
}

/** `findings` must be sorted and non-overlapping, as `detect` returns them. */
export function redactText(text: string, findings: readonly Finding[]): string {
  let out = '';
  let pos = 0;
  for (const f of findings) {
    out += text.slice(pos, f.start) + replacementFor(f, text.slice(f.start, f.end));
    pos = f.end;
  }
  return out + text.slice(pos);
}

/** A hint for humans that never shows the value: first chars of a long secret, then stars. */
export function maskedPreview(value: string): string {
  const shown = value.length >= 16 ? 4 : value.length >= 8 ? 2 : 0;
  return value.slice(0, shown) + '*'.repeat(Math.min(8, value.length - shown)) + ` (${value.length} chars)`;
}
