// Glob matching for policy labels. Only `*` (any run) and `?` (one char) are special:
// policy authors write server and tool names, not paths, and a regex engine fed raw
// user patterns invites catastrophic backtracking. Compiled once per policy load.
export type GlobMatcher = (value: string) => boolean;

export function compileGlob(pattern: string): GlobMatcher {
  if (pattern === '*') return () => true;
  if (!/[*?]/.test(pattern)) return (value) => value === pattern;
  // Code points, not UTF-16 units: without the `u` flag `?` matched half of an emoji's
  // surrogate pair, so `tool_?` missed `tool_🔥` and `tool_??` took it.
  const source = Array.from(pattern)
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  // Consecutive `.*` collapse so no pattern can produce nested quantifiers.
  const regex = new RegExp(`^${source.replace(/(\.\*)+/g, '.*')}$`, 'su');
  return (value) => regex.test(value);
}
