// Lowercase-prefixed tokens (ghp_, sk-, xoxb-, glpat-, hvs. … ~80 prefixes). An alternation
// of that many lowercase literals costs V8 a check at nearly every letter; instead the
// lane looks for what every such token has — a separator followed by a long alphanumeric
// stretch, rare in prose and code — then reads the prefix words of that token.
import { collapsePrefixes, type Lane, repeat, runRules, trieSource } from './lanes.js';
import type { Finding, Rule } from './types.js';

const SEP_KEY = /^([a-z][a-z0-9]*)([_.-])/;
const TOKEN_CHAR = /[A-Za-z0-9_.-]/;
const isLowerOrDigit = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isSep = (c: number) => c === 95 || c === 46 || c === 45;

export function tokenLane(entries: ReadonlyArray<[string, Rule]>, jwt: Rule | undefined): (Lane & { plainProbe?: RegExp }) | null {
  const keyed = new Map<string, Rule[]>();
  const plain: Array<[string, Rule]> = [];
  for (const [a, r] of entries) {
    const m = SEP_KEY.exec(a);
    // A token whose body may be cut by `_`/`-` every few chars need not show the lane's long
    // plain run: its prefix (long enough to be rare) is looked for as such instead.
    if (!m || (r.separatorsInBody && a.length >= 5)) {
      plain.push([a, r]);
      continue;
    }
    const key = m[1]! + m[2]!;
    const list = keyed.get(key) ?? [];
    if (!list.includes(r)) list.push(r);
    keyed.set(key, list);
  }
  if (keyed.size === 0 && plain.length === 0) return null;
  const byPlain = collapsePrefixes(plain, (s) => s);
  const plainTrie = byPlain.size ? trieSource([...byPlain.keys()]) : '';
  const runSource = `[_.\\-]${repeat('[A-Za-z0-9]', 13)}`;
  const source = plainTrie ? `${runSource}|(${plainTrie})` : runSource;

  function scanRun(text: string, from: number, to: number, out: Finding[]): void {
    let i = from;
    while (i < to) {
      if (!isLowerOrDigit(text.charCodeAt(i))) {
        i++;
        continue;
      }
      let j = i;
      while (j < to && isLowerOrDigit(text.charCodeAt(j))) j++;
      if (j < to && isSep(text.charCodeAt(j))) {
        let s = i;
        // `0tskey-…`: a digit glued before the prefix; each rule judges its own boundary.
        while (s < j && text.charCodeAt(s) <= 57) s++;
        if (s < j) {
          const key = text.slice(s, j + 1);
          runRules(keyed.get(key), text, s, key, out);
          if (s !== i) runRules(keyed.get(text.slice(i, j + 1)), text, i, text.slice(i, j + 1), out);
        }
      }
      i = j === i ? i + 1 : j;
    }
    // Anchors are looked for in the run alone: `text.indexOf(a, from)` read on to the end of
    // the text for every anchor absent from the run, so each run cost the whole rest of the
    // text (176 KB of `x_abcdefghijklmnop` took 6 s, a 1 MB result minutes).
    const run = text.slice(from, to);
    if (jwt) {
      for (let k = run.indexOf('eyJ'); k !== -1; k = run.indexOf('eyJ', k + 3)) {
        const f = jwt.match(text, from + k, 'eyJ');
        if (f) out.push(f);
      }
    }
    for (const [a, rules] of byPlain) {
      for (let k = run.indexOf(a); k !== -1; k = run.indexOf(a, k + 1)) runRules(rules, text, from + k, a, out);
    }
  }

  return {
    re: new RegExp(source, 'g'),
    // Plain anchors (`dapi`) start with a lowercase letter: on raw lines they ride with the
    // letter probes (`plainProbe`), which look at letters anyway; here they would add a
    // common first char to a probe that otherwise starts only on `_`, `.` and `-`.
    probe: new RegExp(runSource),
    plainProbe: plainTrie ? new RegExp(plainTrie) : undefined,
    run(text, m, out) {
      if (m[1] !== undefined) {
        runRules(byPlain.get(m[1]), text, m.index, m[1], out);
        return m.index + 1;
      }
      // Back to the start of the token run (it ends at the last one's end, so nothing is read
      // twice): a JWT whose header carries kid/x5t is well over 100 chars before the `.`
      // this lane stops on, and its `eyJ` must be inside the run for the JWT rule to see it.
      let rs = m.index;
      while (rs > 0 && m.index - rs < 1024 && TOKEN_CHAR.test(text[rs - 1] ?? '')) rs--;
      let re = m.index + m[0].length;
      while (re < text.length && re - m.index < 1024 && TOKEN_CHAR.test(text[re] ?? '')) re++;
      scanRun(text, rs, re, out);
      return re;
    },
  };
}
