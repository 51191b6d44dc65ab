/**
 * A value of the client's as text for a label: params are whatever the client sent, and
 * String() throws on `{"toString":1}` (one such member took the whole engine down).
 */
export function labelText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
