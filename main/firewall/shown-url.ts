/**
 * A remote server's URL as error texts and audit reasons show it: query values, the
 * fragment and any user or password are cut out, the names kept. Some servers take their
 * key in the URL (`?api_key=…`), and an error goes to the client, so to the model, and to
 * the audit trail, where a key must never be.
 */
export function shownUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL: what could hold a secret (after a ? or #, before an @) is cut all the same.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1…@').replace(/[?#][\s\S]*$/, '?…');
  }
  const userinfo = parsed.username || parsed.password ? '…@' : '';
  const names = [...new Set(parsed.searchParams.keys())];
  const query = parsed.search ? `?${names.length > 0 ? names.map((name) => `${encodeURIComponent(name)}=…`).join('&') : '…'}` : '';
  return `${parsed.protocol}//${userinfo}${parsed.host}${parsed.pathname}${query}${parsed.hash ? '#…' : ''}`;
}

const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/** `text` with every URL in it shown as shownUrl shows it (whatever form a library printed it in). */
export function shownUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => shownUrl(url));
}
