// Commands the firewall suggests (`mcp-firewall registry approve NAME`) carry names from
// config files, which anyone who writes a repository's .mcp.json chooses; a person or an
// agent pastes them into a shell. So every name in them is one shell word, as it reads.

const PLAIN = /^[\w.:@/%+=,-]+$/;

/** `word` as one POSIX shell word: as it is when nothing in it is special, else single-quoted. */
export function shellWord(word: string): string {
  return PLAIN.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A positional argument of a suggested command: a shell word, after `--` when it starts with
 * `--`, which the CLI would otherwise read as an option. Put it after the command's options.
 */
export function argWord(word: string): string {
  return word.startsWith('--') ? `-- ${shellWord(word)}` : shellWord(word);
}
