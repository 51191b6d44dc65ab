import { ROUTE_KEY_PARAM } from '../route-key.js';
import { hasTokenPrefix, nameLooksSecret } from '../secret-shapes.js';
import { getIn, isRecord } from './entry-shape.js';
import { routedTarget } from './route-url.js';
import type { ConfigFileSpec, DiscoveredServer, SecretFinding } from './types.js';

// Heuristics from reference/client-configs.md §19. A finding names where the secret sits
// and shows only a masked stub: the scan output itself must never become the leak.

const SECRET_FLAGS = /^--?(api[-_]?key|access[-_]?token|auth[-_]?token|token|password|passwd|secret|client[-_]?secret|private[-_]?key)$/i;
// References resolved by the client or a keyring are not plaintext secrets.
const REFERENCE = /^\$\{\{?\s*[^}]+\}\}?$|^\$[A-Za-z_][A-Za-z0-9_]*$|^\{(env|file):[^}]+\}$|^\$\{(env|input|file):[^}]+\}$/;

function isPlaintext(value: string): boolean {
  const v = value.trim();
  return v.length > 0 && !REFERENCE.test(v) && !/^Bearer\s+(\$\{[^}]+\}|\{env:[^}]+\})$/.test(v);
}

type Finding = SecretFinding & { value: string };

function finding(where: SecretFinding['where'], name: string, value: string, reason: string): Finding {
  return { where, name, masked: mask(value), reason, value };
}

export function mask(value: string): string {
  const keep = value.length >= 16 ? 4 : value.length >= 10 ? 2 : 0;
  return `${value.slice(0, keep)}…(${value.length} chars)`;
}

function urlUserPassword(value: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s:]+):([^/@\s]+)@/i.exec(value);
  return m?.[2];
}

function valueReason(value: string): string | undefined {
  if (hasTokenPrefix(value)) return 'known token prefix';
  if (urlUserPassword(value)) return 'password in URL';
  return undefined;
}

function scanMap(where: 'env' | 'header', map: unknown, out: Finding[]): void {
  if (!isRecord(map)) return;
  for (const [name, v] of Object.entries(map)) {
    if (typeof v !== 'string' || !isPlaintext(v)) continue;
    const reason = valueReason(v) ?? (nameLooksSecret(name) ? 'secret-like name' : undefined);
    if (reason) out.push(finding(where, name, v, reason));
  }
}

function scanArgs(args: string[], out: Finding[]): void {
  args.forEach((arg, i) => {
    const eq = /^(--?[A-Za-z][\w-]*)=(.+)$/.exec(arg);
    if (eq && SECRET_FLAGS.test(eq[1]!) && isPlaintext(eq[2]!)) {
      out.push(finding('arg', eq[1]!, eq[2]!, 'secret flag value'));
      return;
    }
    const prev = args[i - 1];
    if (prev && SECRET_FLAGS.test(prev) && isPlaintext(arg)) {
      out.push(finding('arg', prev, arg, 'secret flag value'));
      return;
    }
    // A DSN keeps its shape in the output; only the password inside is masked.
    const pass = urlUserPassword(arg);
    if (pass) out.push(finding('arg', `arg ${i + 1}`, pass, 'password in URL'));
    else if (hasTokenPrefix(arg)) out.push(finding('arg', `arg ${i + 1}`, arg, 'known token prefix'));
  });
}

function scanUrl(url: string, out: Finding[], masks: string[]): void {
  const pass = urlUserPassword(url);
  if (pass) out.push(finding('url', 'userinfo', pass, 'password in URL'));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  // A firewall route's key is no server's credential (nothing to move to the keychain),
  // but it stays masked wherever the URL is shown.
  const routeKey = routedTarget(url)?.key;
  if (routeKey) masks.push(routeKey);
  for (const [name, v] of parsed.searchParams) {
    if (routeKey && name === ROUTE_KEY_PARAM) continue;
    if (isPlaintext(v) && (nameLooksSecret(name) || hasTokenPrefix(v))) {
      out.push(finding('url', `?${name}`, v, 'secret in query'));
    }
  }
  for (const seg of parsed.pathname.split('/')) {
    // Zapier-style https://actions.zapier.com/mcp/<KEY>/sse: a long mixed token in the path.
    if (hasTokenPrefix(seg) || (seg.length >= 24 && /[A-Za-z]/.test(seg) && /\d/.test(seg) && !/^[a-f0-9-]{36}$/i.test(seg))) {
      out.push(finding('url', 'path', seg, 'token in URL path'));
    }
  }
}

export interface SecretScan {
  findings: SecretFinding[];
  /** The raw values, only so display strings can be redacted; never print or persist these. */
  values: string[];
}

export function findSecrets(server: DiscoveredServer, spec: ConfigFileSpec): SecretScan {
  const out: Finding[] = [];
  const raw = server.raw;
  for (const key of spec.shape.envKeys) scanMap('env', raw[key], out);
  // Older Zed: env nested under the command object.
  if (isRecord(raw.command)) scanMap('env', raw.command.env, out);
  for (const path of spec.shape.headerPaths) scanMap('header', getIn(raw, path), out);
  const launch = server.wrappedLaunch ?? server.launch;
  if (launch) scanArgs([launch.command, ...launch.args], out);
  const masks: string[] = [];
  if (server.url) scanUrl(server.url, out, masks);
  return { findings: out.map(({ value: _v, ...f }) => f), values: [...out.map((f) => f.value), ...masks] };
}

/** A route URL as reports and the audit show it: its route key masked (the config file holds it whole). */
export function withRouteKeyMasked(url: string): string {
  const key = routedTarget(url)?.key;
  return key ? maskValues(url, [key, encodeURIComponent(key)]) : url;
}

/**
 * A printable copy of text with every secret value replaced by its mask, which keeps a few
 * first characters and the length so a person can tell which secret a report means. Not
 * audit/export-postgres-errors.ts `redact`: an error message hides its passwords whole.
 */
export function maskValues(text: string, values: string[]): string {
  let out = text;
  for (const v of [...values].sort((a, b) => b.length - a.length)) out = out.split(v).join(mask(v));
  return out;
}
