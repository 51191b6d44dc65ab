import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// The dashboard is served from mcp-firewall://dashboard/, not file:// (Electron's security
// checklist, "avoid the file:// protocol"). A file:// page may read any file on the disk it
// can name, and the packaged app turns off the GrantFileProtocolExtraPrivileges fuse
// (electron-builder.yml), under which a file:// page is a plain browser's: its module
// script (Vite's `<script type="module" crossorigin>`) is a cross-origin request from an
// opaque origin and is refused, so the packaged dashboard would stay blank.

export const APP_SCHEME = 'mcp-firewall';
const APP_HOST = 'dashboard';
/** The dashboard's one page. */
export const DASHBOARD_PAGE = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Registered before the app is ready: standard (relative URLs, an origin of its own) and secure. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } as const;

/**
 * The file under `rendererDir` that `requestUrl` names, or null: another scheme or host, a
 * path that leaves the dir (`..`, also when written `%2e%2e` or with `%2f`/`%5c` for its
 * separators: decoded, then held to the dir), a NUL, or the dir itself.
 */
export function rendererFileFor(rendererDir: string, requestUrl: string): string | null {
  let url: URL;
  let path: string;
  try {
    url = new URL(requestUrl);
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || path.includes('\0')) return null;
  const root = resolve(rendererDir);
  const file = resolve(root, `.${path}`);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
  return file;
}

/** The protocol.handle handler: a file of the renderer dir through `fetchFile` (net.fetch), anything else 404. */
export function createAppProtocolHandler(rendererDir: string, fetchFile: (fileUrl: string) => Promise<Response>): (request: { url: string }) => Promise<Response> {
  return async (request) => {
    const file = rendererFileFor(rendererDir, request.url);
    if (!file) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    return fetchFile(pathToFileURL(file).href);
  };
}
