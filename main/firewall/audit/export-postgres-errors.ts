/** What the CLI prints as one line: the problem, never a password. */
export class PostgresExportError extends Error {
  constructor(
    message: string,
    /** Rows committed before the failure: they stay exported, a re-run sends the rest. */
    readonly sent = 0,
  ) {
    super(message);
  }
}

/** Where we connect, for messages: user@host:port/database, with no secret in it. */
export interface PostgresTarget {
  user: string | undefined;
  host: string;
  port: number;
  database: string | undefined;
}

export function describeTarget(target: PostgresTarget): string {
  return `${target.user ? `${target.user}@` : ''}${target.host}:${target.port}/${target.database ?? ''}`;
}

// Node's socket errors name the cause in a code; Postgres' own errors carry a SQLSTATE.
const CONNECT_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is Postgres running and listening on that host and port?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'connection reset by the server',
  ENOENT: 'no socket at that path (is Postgres running?)',
};

const SQLSTATE_HINTS: Record<string, string> = {
  '28P01': 'password authentication failed: check the user, and the password in PGPASSWORD, ~/.pgpass or the URL',
  '28000': 'the server refused this login (check pg_hba.conf and the user name)',
  '3D000': 'the database does not exist',
  '42501': 'permission denied',
  '57P03': 'the server is starting up or shutting down',
};

/** One line naming the problem; the passwords are cut out wherever a library repeated them. */
export function explainPostgresError(error: unknown, target: PostgresTarget, passwords: readonly string[]): string {
  const err = error as { code?: string; message?: string };
  const message = String(err.message ?? error);
  const where = describeTarget(target);
  let text: string;
  if (err.code && CONNECT_CODES[err.code]) text = `cannot reach Postgres at ${where}: ${CONNECT_CODES[err.code]}`;
  else if (/timeout/i.test(message) && /connect/i.test(message)) text = `cannot reach Postgres at ${where}: connection timed out`;
  else if (/client password must be a string|no password supplied/i.test(message)) text = `Postgres at ${where} asks for a password and none was given: set PGPASSWORD or add a line to ~/.pgpass`;
  else if (err.code && SQLSTATE_HINTS[err.code]) text = `Postgres at ${where}: ${SQLSTATE_HINTS[err.code]} (${message})`;
  else if (err.code && /^[0-9A-Z]{5}$/.test(err.code)) text = `Postgres at ${where} said: ${message} (SQLSTATE ${err.code})`;
  else text = `Postgres export to ${where} failed: ${message}`;
  return redact(text, passwords);
}

/** One line with every password cut out, raw or URL-encoded. */
export function redact(text: string, passwords: readonly string[]): string {
  let line = text;
  // Longest first, so a password that contains another is not left half-cut. Before
  // whitespace is folded, or a password holding two spaces or a tab would no longer match.
  for (const password of [...passwords].sort((a, b) => b.length - a.length)) {
    if (!password) continue;
    line = cutOut(cutOut(line, password), encodeURIComponent(password));
  }
  line = line.replace(/\s+/g, ' ').trim();
  // A URL that slipped into a message keeps its user and host, never its password.
  return line.replace(/(postgres(?:ql)?:\/\/[^:@/\s]*):[^@\s]*@/gi, '$1:***@');
}

// Below this length a password turns up by chance inside ordinary words: cut everywhere,
// 'a' would turn "password authentication failed" into "p***ssword ***uthentic***tion…".
const CUT_INSIDE_WORDS_FROM = 8;
const WORD_CHAR = /[\p{L}\p{N}_]/u;

/**
 * A short password is cut where it stands on its own — quoted back by a server, after
 * `password=` — and left where it is glued to a letter or digit, since there it is only part
 * of another word and tells a reader nothing. A longer one is cut wherever it appears.
 */
function cutOut(line: string, secret: string): string {
  if (secret.length >= CUT_INSIDE_WORDS_FROM) return line.split(secret).join('***');
  let out = '';
  let from = 0;
  for (let at = line.indexOf(secret); at !== -1; at = line.indexOf(secret, from)) {
    const glued = WORD_CHAR.test(line[at - 1] ?? '') || WORD_CHAR.test(line[at + secret.length] ?? '');
    out += line.slice(from, at) + (glued ? secret : '***');
    from = at + secret.length;
  }
  return out + line.slice(from);
}
