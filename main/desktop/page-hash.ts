/**
 * The script the desktop runs in the dashboard to open it at `#/PAGE`. The page reacts to
 * `hashchange` (which page, which approval to show in full), and a browser fires none when
 * the hash is set to the one it already has: the native dialog's "Show all arguments…"
 * pressed while the dashboard already stood at that approval (opened from an earlier dialog
 * and scrolled away, say) then showed nothing more. So when setting the hash changed
 * nothing, the script fires the event itself. Comparing after setting, not before, leaves
 * the browser to say whether two spellings of the hash are the same.
 */
export function openPageScript(page: string): string {
  const hash = JSON.stringify(`#/${page}`);
  return `(() => { const before = location.hash; location.hash = ${hash}; `
    + `if (location.hash === before) window.dispatchEvent(new HashChangeEvent('hashchange')); })()`;
}
