import { spawn } from 'node:child_process';

/**
 * The platform's own opener, the URL one argument and no shell on the way (`rundll32` on
 * Windows, not `cmd /c start`, whose line cmd reads for `&`, `%VAR%` and the rest). Only
 * http(s): a sign-in URL comes from a server's metadata, and `xdg-open file:…` or a custom
 * scheme would start whatever program claims it.
 */
export function openerFor(platform: NodeJS.Platform, url: string): [string, string[]] {
  const scheme = new URL(url).protocol;
  if (scheme !== 'https:' && scheme !== 'http:') throw new Error(`refusing to open a ${scheme} URL in the browser`);
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/** Resolves once the opener started; rejects when the URL is refused or no opener runs. */
export function openInBrowser(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const [command, argv] = openerFor(process.platform, url);
    const child = spawn(command, argv, { stdio: 'ignore', detached: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
