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
function fitsLiterals(literals: readonly string[], text: string): boolean {
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

/** A held template as matched: its literals, lower-cased, taken once when it is held (not on every read). */
export interface TemplateShape {
  readonly literals: readonly string[];
}

export function templateShape(template: string): TemplateShape {
  return { literals: literalsOf(template.toLowerCase()) };
}

/** A URI a client reads, in each form matched (lower-cased, no two alike): a read is refused if any fits. */
export interface ReadUri {
  readonly forms: readonly string[];
}

/** One run of valid escapes (`%E2%82%AC`): decoded together, so a character spread over several bytes comes out whole. */
const ESCAPE_RUN = /(?:%[0-9a-f]{2})+/gi;

/**
 * Each valid `%XX` decoded, a malformed one (`%ZZ`, a lone `%`) left as it is: decodeURIComponent
 * decodes all or nothing, so one bad escape beside `%3A%2F%2F` kept the decoded form from
 * being matched at all, and a server that decodes what it can read through a held template.
 * Bytes that are no UTF-8 become U+FFFD, which matches no literal but any expression.
 */
function percentDecoded(text: string): string {
  return text.replace(ESCAPE_RUN, (run) => Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'));
}

/**
 * The URI as a WHATWG URL parser reads it, or null if it parses to nothing else. The TypeScript
 * SDK's server routes a read by `new URL(uri).toString()`, which strips leading and trailing
 * controls and spaces, drops tabs and newlines, resolves `..`, drops a default port, turns `\`
 * into `/` and `file:/x` into `file:///x`: ` notes://7` reached a held `notes://{id}` that
 * `notes://7` could not.
 */
function whatwgNormalised(uri: string): string | null {
  if (!URL.canParse(uri)) return null;
  const href = new URL(uri).href;
  return href === uri ? null : href;
}

export function readUriOf(uri: string): ReadUri {
  const forms = new Set<string>();
  for (const form of [uri, whatwgNormalised(uri)]) {
    if (form === null) continue;
    forms.add(form.toLowerCase());
    // Lower-cased after decoding: `%4E` is an `N`, which a case-blind server reads as `n`.
    if (form.includes('%')) forms.add(percentDecoded(form).toLowerCase());
  }
  return { forms: [...forms] };
}

/** Whether the read URI (in any of its forms) could be an expansion of the template. */
export function mayServe(template: TemplateShape, uri: ReadUri): boolean {
  return uri.forms.some((form) => fitsLiterals(template.literals, form));
}

/** Whether `uri` could be an expansion of `template` (one check; a read against many held templates takes the parts above). */
export function mayExpandTo(template: string, uri: string): boolean {
  return mayServe(templateShape(template), readUriOf(uri));
}
