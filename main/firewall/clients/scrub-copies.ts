import { getIn } from './entry-shape.js';
import { editorFor } from './formats/index.js';
import type { SecretMove } from './move-secrets.js';
import type { ConfigFormat } from './types.js';
import { accountFor, KEYCHAIN_SERVICE } from '../identity/secret-store.js';
import { argWord } from '../shell-word.js';

// Our copies of a client file (the saved original, the backups) would keep every token
// `protect --move-secrets` took out of the file, in the data dir, for good: the user who
// moved them reasonably takes them for off the disk. In our copies each moved value stands
// as a placeholder naming its keychain item; unprotect puts the keychain's value back in
// place, so the restore is still the file byte for byte.

/** A moved secret's value in the saved original stands as `placeholder`. */
export interface ScrubbedSecret {
  server: string;
  name: string;
  placeholder: string;
}

/** Reads one secret back from the keychain; null when there is no such item. */
type ReadSecret = (server: string, name: string) => Promise<string | null>;

// Letters, digits and `_./:-` only: a plain scalar in YAML, and at home in any quoted
// string of JSON, TOML or YAML, so a copy still parses with it where the value was.
const encodePart = (part: string) => encodeURIComponent(part).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Deterministic, and never text the copy already holds. Not a digest of the value: a
 * short password could be found again by trying candidates against it.
 */
function placeholderFor(server: string, name: string, taken: (text: string) => boolean): string {
  const base = `moved-to-os-keychain:${KEYCHAIN_SERVICE}:${accountFor({ server, name }).split('/').map(encodePart).join('/')}`;
  let placeholder = base;
  for (let n = 2; taken(placeholder); n++) placeholder = `${base}:${n}`;
  return placeholder;
}

// Byte for byte, whatever the encoding: latin1 maps each byte to one character.
const asBinary = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One pass, longest first: a placeholder put in is never read again as (part of) another value. */
function replaceEach(bytes: Buffer, pairs: Map<string, string>): Buffer {
  const found = [...pairs.keys()].filter((k) => k.length > 0);
  if (found.length === 0) return bytes;
  const binary = new Map(found.map((k) => [asBinary(k), asBinary(pairs.get(k)!)]));
  const pattern = new RegExp([...binary.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  return Buffer.from(bytes.toString('latin1').replace(pattern, (m) => binary.get(m)!), 'latin1');
}

/** value → placeholder, as scrubValues and scrubBackups take it. */
export const placeholderText = (placed: Map<string, ScrubbedSecret>): Map<string, string> => new Map([...placed].map(([value, s]) => [value, s.placeholder]));

/** A copy with every verbatim occurrence of the values replaced by their placeholders. */
export function scrubValues(bytes: Buffer, placeholders: Map<string, string>): Buffer {
  return replaceEach(bytes, placeholders);
}

/**
 * A backup of the file these moves were read from: no restore reads it, so a value written
 * other than verbatim (a JSON escape) is replaced where it sits, as a whole, too.
 */
export function scrubBackup(bytes: Buffer, format: ConfigFormat, moves: SecretMove[], placed: Map<string, ScrubbedSecret>): Buffer {
  if (moves.length === 0) return bytes;
  const editor = editorFor(format);
  let text = replaceEach(bytes, placeholderText(placed)).toString('utf8');
  try {
    const doc = editor.parse(text);
    for (const m of moves) {
      const placeholder = placed.get(m.value)!.placeholder;
      if (getIn(doc, m.path) !== placeholder) text = editor.set(text, m.path, placeholder);
    }
  } catch {
    // Left as far as it got: every verbatim value is out.
  }
  return Buffer.from(text, 'utf8');
}

/** A placeholder for each moved value (one per value), none of them text one of `copies` holds already. */
export function placeholdersFor(moves: SecretMove[], copies: Buffer[]): Map<string, ScrubbedSecret> {
  const texts = copies.map((c) => c.toString('latin1'));
  const out = new Map<string, ScrubbedSecret>();
  for (const m of moves) {
    if (out.has(m.value)) continue;
    const taken = (p: string) => texts.some((t) => t.includes(asBinary(p))) || [...out.values()].some((s) => s.placeholder === p);
    out.set(m.value, { server: m.server, name: m.name, placeholder: placeholderFor(m.server, m.name, taken) });
  }
  return out;
}

/**
 * The saved original without the moved values, or undefined when no such copy gives the
 * file back exactly: a value not written verbatim (a JSON escape, a folded YAML scalar) is
 * not found, and the copy is then not kept at all (unprotect restores entry by entry).
 * `scrubbed`: placeholders this copy holds already, from an earlier run.
 */
export function scrubOriginal(original: Buffer, format: ConfigFormat, moves: SecretMove[], placed: Map<string, ScrubbedSecret>, scrubbed: ScrubbedSecret[]): { bytes: Buffer; secrets: ScrubbedSecret[] } | undefined {
  if (moves.length === 0) return { bytes: original, secrets: scrubbed };
  const bytes = replaceEach(original, placeholderText(placed));
  if (!replaceEach(bytes, new Map([...placed].map(([value, s]) => [s.placeholder, value]))).equals(original)) return undefined;
  try {
    const doc = editorFor(format).parse(bytes.toString('utf8'));
    if (moves.some((m) => getIn(doc, m.path) !== placed.get(m.value)?.placeholder)) return undefined;
  } catch {
    return undefined;
  }
  return { bytes, secrets: [...scrubbed, ...placed.values()] };
}

/**
 * The saved original with the keychain's values in place of its placeholders. Throws when
 * the keychain cannot give one back (no keychain, locked, the item gone): the file would
 * otherwise be "restored" with a placeholder where its token was.
 */
export async function fillSecrets(saved: Buffer, secrets: ScrubbedSecret[], read: ReadSecret | undefined): Promise<Buffer> {
  if (secrets.length === 0) return saved;
  const items = secrets.map((s) => `${s.name} of '${s.server}' (keychain item ${KEYCHAIN_SERVICE} ${accountFor(s)})`).join(', ');
  const refuse = (why: string) =>
    new Error(`the saved original holds ${items} only as a placeholder, and ${why}; nothing written: run unprotect again where the keychain can be read (unlocked, in the user's session)`);
  if (!read) throw refuse('this unprotect has no access to the OS keychain');
  const values: string[] = [];
  for (const s of secrets) {
    let value: string | null;
    try {
      value = await read(s.server, s.name);
    } catch (err) {
      throw refuse((err as Error).message);
    }
    if (value === null) {
      throw new Error(`the saved original holds ${s.name} of '${s.server}' only as a placeholder for its keychain item, which is gone; nothing written: put it back with 'mcp-firewall secrets set ${argWord(s.server)} ${s.name}' and run unprotect again`);
    }
    values.push(value);
  }
  return replaceEach(saved, new Map(secrets.map((s, i) => [s.placeholder, values[i]!])));
}
