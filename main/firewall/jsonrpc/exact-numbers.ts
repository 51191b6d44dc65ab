// A message the firewall rewrites (a redaction, a repeated key) leaves re-serialised, and a
// number JSON.parse read into a double is written back as that double: a tweet id
// 1800000000000000123 left as 1800000000000000000, 9007199254740993 as ...992, 1e400 as null.
// A client reading ids or amounts from structured content got other ones than the server sent.
// JSON.parse with source text access (V8 12.4, Node 22) hands the reviver each number's
// source; a number whose source is not what JSON.stringify would write is kept as that source
// (JSON.rawJSON), which JSON.stringify writes back byte for byte. The reviver costs a parse
// about five times over, so only lines that are rewritten are read this way, never clean ones.

interface SourceContext {
  source?: string;
}
const { rawJSON, isRawJSON } = JSON as unknown as {
  rawJSON(text: string): object;
  isRawJSON(value: unknown): boolean;
};
const parseWithSource = JSON.parse as (text: string, reviver: (key: string, value: unknown, context?: SourceContext) => unknown) => unknown;

/** `text` parsed, with each number JSON.stringify would write otherwise kept as written; `kept` counts those. */
export function parseKeepingNumbers(text: string): { value: unknown; kept: number } {
  let kept = 0;
  const value = parseWithSource(text, (_key, value, context) => {
    if (typeof value !== 'number' || context?.source === undefined || context.source === String(value)) return value;
    kept++;
    return rawJSON(context.source);
  });
  return { value, kept };
}

/** A number kept as its source by parseKeepingNumbers: no text to scan or rewrite. */
export function isKeptNumber(value: unknown): boolean {
  return isRawJSON(value);
}
