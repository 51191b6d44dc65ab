import { makeVisible } from './visible-text.js';

const CONTEXT = 24;
const MAX = 160;

export function excerptAt(text: string, start: number, end: number): string {
  const from = Math.max(0, start - CONTEXT);
  const to = Math.min(text.length, end + CONTEXT);
  let s = makeVisible(text.slice(from, to)).replace(/\s+/g, ' ');
  if (s.length > MAX) s = s.slice(0, MAX) + '…';
  return (from > 0 ? '…' : '') + s + (to < text.length && !s.endsWith('…') ? '…' : '');
}
