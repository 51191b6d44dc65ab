// Values that are obviously not real secrets: templates, placeholders, and docs examples.
// Flagging these would redact every README and config template a tool returns.

const TEMPLATE = /\$\{|\{\{|\$\(|%\(|%s|<[A-Za-z_]|^\$[A-Za-z_]|^\{[A-Za-z_]|\[[A-Z_]+\]|process\.env|os\.environ|getenv/;
const PLACEHOLDER_PARTS = [
  'password', 'passwd', 'changeme', 'change_me', 'change-me', 'your_', 'your-', 'yourpass', 'example',
  'placeholder', 'dummy', 'redacted', 'xxxxx', '*****', 'replace', 'insert_', 'fake', 'sample', 'todo',
  'foo', '<', '...',
];
const PLACEHOLDER_EXACT = new Set([
  'secret', 'token', 'null', 'none', 'nil', 'undefined', 'true', 'false', 'empty', 'string', 'required',
  'optional', 'bearer', 'basic', 'test', 'admin', 'root', 'user', 'username', 'default', 'value', 'hidden',
  'mysecret', 'mytoken', 'apikey', 'api_key', 'secretkey', 'secret_key', 'foobar', 'foo', 'bar', 'abc123',
  '123456', '12345678', 'qwerty', 'letmein',
]);

export function isTemplate(v: string): boolean {
  return TEMPLATE.test(v);
}

export function isPlaceholder(v: string): boolean {
  const l = v.toLowerCase();
  if (PLACEHOLDER_EXACT.has(l)) return true;
  for (const p of PLACEHOLDER_PARTS) if (l.includes(p)) return true;
  return distinctChars(v) < 3;
}

/**
 * A docs example among random-looking values: AWS writes its samples with `EXAMPLE` in them
 * (`AKIAIOSFODNN7EXAMPLE`, `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`). For a 40-char random
 * key this is the only part of `isPlaceholder` that is asked: its short parts (`foo`, `todo`,
 * `fake`) turn up by chance in one random key in a thousand, a real key let through.
 */
export function isDocsExample(v: string): boolean {
  return v.toLowerCase().includes('example');
}

export function distinctChars(v: string): number {
  return new Set(v).size;
}

/** Lower, upper, digit, other — how many of the four classes a value uses. */
export function charClasses(v: string): number {
  let lo = 0, up = 0, di = 0, ot = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 97 && c <= 122) lo = 1;
    else if (c >= 65 && c <= 90) up = 1;
    else if (c >= 48 && c <= 57) di = 1;
    else ot = 1;
  }
  return lo + up + di + ot;
}
