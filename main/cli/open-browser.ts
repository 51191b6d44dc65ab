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

/** How long an opener that has not exited yet is waited for: some run the browser in the foreground. */
const OPENER_GRACE_MS = 3_000;

/**
 * Resolves once the opener handed the URL on; rejects when the URL is refused, no opener
 * runs, or it exits with a failure — `xdg-open` on a machine without a display or browser
 * does (exit 3), and a command that said "opened" then would leave the user waiting.
 */
export function openInBrowser(url: string, opener: [string, string[]] = openerFor(process.platform, url), graceMs = OPENER_GRACE_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const [command, argv] = opener;
    const child = spawn(command, argv, { stdio: 'ignore', detached: true });
    child.once('error', reject);
    child.once('spawn', () => {
      const timer = setTimeout(() => {
        child.unref();
        resolve();
      }, graceMs);
      timer.unref();
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`${command} ${signal ? `was stopped by ${signal}` : `exited with code ${code}`}`));
      });
    });
  });
}
