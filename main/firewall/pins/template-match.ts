// Whether a URI a client reads could be served through a resource template (RFC 6570).
//
// Over-approximated on purpose: every `{…}` expression matches any text, `/` included, and
// case is ignored, because what matters is which template the *server* routes a URI to, and
// servers match loosely (some lower-case the scheme, some let `{path}` take slashes). A read
// that might reach a held template is refused; a person accepting the template ends that.
// The template is the server's choice: it is never made into a regular expression
// (`{a}{b}{c}…` would backtrack for ages on a long URI); literals are found in order instead.

/** The literal runs of a template, between its expressions (an unclosed `{` runs to the end). */
function literalsOf(template: string): string[] {
  const literals: string[] = [];
  let at = 0;
  for (;;) {
    const start = template.indexOf('{', at);
    if (start === -1) {
      literals.push(template.slice(at));
      return literals;
    }
    literals.push(template.slice(at, start));
    const close = template.indexOf('}', start);
    if (close === -1) {
      literals.push('');
      return literals;
    }
    at = close + 1;
  }
}

/** `*`-glob match of `text` against literals with a wildcard between each two: greedy, each literal placed at its first fit. */
function fitsLiterals(literals: string[], text: string): boolean {
  const first = literals[0]!;
  if (literals.length === 1) return text === first;
  const last = literals[literals.length - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < literals.length - 1; i++) {
    const found = text.indexOf(literals[i]!, at);
    if (found === -1 || found + literals[i]!.length > end) return false;
    at = found + literals[i]!.length;
  }
  return true;
}

/** Whether `uri` (as sent, or percent-decoded) could be an expansion of `template`. */
export function mayExpandTo(template: string, uri: string): boolean {
  const literals = literalsOf(template.toLowerCase());
  const sent = uri.toLowerCase();
  if (fitsLiterals(literals, sent)) return true;
  let decoded: string;
  try {
    decoded = decodeURIComponent(sent);
  } catch {
    return false;
  }
  return decoded !== sent && fitsLiterals(literals, decoded);
}
