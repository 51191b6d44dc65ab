// Characters a reviewer cannot see in a terminal, a dialog or the dashboard but the model
// still reads: C0/C1 controls (ANSI escapes start with ESC), format characters (zero-width,
// bidi: a right-to-left override in a server name turns the tool name after it around),
// Unicode tag characters and variation selectors (both used to smuggle text). Shared by the
// engine and the renderer, so the dashboard spells out exactly what the CLI and diffs do.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\u{E0000}-\u{E01EF}]/gu;

/** Replaces invisible characters with a visible `\u{…}` marker so a diff or excerpt shows them. */
export function makeVisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

const LINE_BREAKS = /[\t\n\r]/g;
const HEAD_CHARS = 0.75;

/**
 * A name from a config, a server or a client (server, tool, gate) for a place that shows it on
 * one line: a tray menu item, a notification title, the first line of the native approval dialog.
 * Line breaks are spelled out as well, or a tool named "write_file (read)\n\nWhy: read-only…"
 * would write its own lines into the dialog a person decides by; a name longer than `max`
 * characters keeps its start and its end (where ".exe" would be) and says how much was cut.
 */
export function oneLineName(name: string, max = 120): string {
  const shown = (text: string) => makeVisible(text).replace(LINE_BREAKS, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
  // No more UTF-16 units than `max` means no more characters either: the dashboard's every name takes this path.
  if (name.length <= max) return shown(name);
  const chars = [...name];
  if (chars.length <= max) return shown(name);
  const head = Math.floor(max * HEAD_CHARS);
  const tail = max - head;
  return `${shown(chars.slice(0, head).join(''))}…(${chars.length - max} chars cut)…${shown(chars.slice(-tail).join(''))}`;
}

/** Whether an approval's reason still needs its rule named: most say "rule 'x' matched …" already. */
export function reasonLacksRule(reason: string, ruleId: string | null | undefined): ruleId is string {
  return !!ruleId && !reason.includes(ruleId);
}
