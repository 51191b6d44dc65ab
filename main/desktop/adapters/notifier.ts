import type { ActivityRow } from '../../../preload/contract.js';
import { oneLineName } from '../../firewall/manifest/visible-text.js';

export interface Notice {
  title: string;
  body: string;
}

/** new Notification(options).show(), injected so it is testable outside Electron. */
export type ShowNotification = (notice: Notice) => void;

// Names, paths and reasons in a notice come from configs, servers and clients: one line each,
// invisible and direction-changing characters spelled out, bounded.
const NAME_CHARS = 80;
const REASON_CHARS = 300;
const name = (text: string) => oneLineName(text, NAME_CHARS);

/**
 * What to hand Electron's Notification on this platform. On Linux the body goes through
 * libnotify, whose notification servers read it as markup (GNOME, KDE: <b>, <i>, <a href>,
 * <img>): a server named `<a href="https://…">re-approve here</a>` would draw a live link in
 * the firewall's own notice, so &, < and > are escaped there. Titles are never markup.
 */
export function platformNotice(notice: Notice, platform: NodeJS.Platform): Notice {
  if (platform !== 'linux') return notice;
  return { title: notice.title, body: notice.body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') };
}

/**
 * Which audit rows deserve an OS notification: the ones where something tried to run
 * that nobody approved, or changed under us. Routine allows and denials stay in the tray.
 */
export function noticeFor(row: ActivityRow): Notice | null {
  const server = name(row.server ?? 'a server');
  const client = row.client === null ? 'A client' : name(row.client);
  const tool = row.tool === null ? null : name(row.tool);
  const reason = row.reason === null ? null : oneLineName(row.reason, REASON_CHARS);
  switch (row.ruleId) {
    case 'registry-shadow':
      return { title: `Shadow server blocked: ${server}`, body: `${client} tried to start '${server}', which is not approved. Review it on the Servers page.` };
    case 'registry-drift':
      return { title: `Server changed: ${server}`, body: `The launch line of '${server}' changed since it was approved, so it was refused.` };
    case 'registry-disabled':
      return { title: `Disabled server refused: ${server}`, body: `${client} tried to start '${server}', which is disabled.` };
    default:
      break;
  }
  if (row.event === 'manifest' && row.decision !== 'ACCEPTED' && row.decision !== 'ALLOW' && row.decision !== 'PINNED' && row.decision !== 'PIN_UPGRADED' && !/^WINDOW_/.test(row.decision)) {
    return { title: `Tool definition drift: ${server}`, body: `${tool ?? 'A tool'} changed its definition and is blocked until you accept it. ${reason ?? ''}`.trim() };
  }
  if (row.decision === 'QUARANTINE') return { title: `Result quarantined: ${server} · ${tool ?? ''}`, body: reason ?? 'A tool result was held back.' };
  // Gate pages come from engine.onGatePage (gatePaged below), not from their audit row: one notice per page.
  return null;
}

/** What a paging gate and a new unprotected config entry look like to the notifier. */
export interface PagedGate {
  name: string;
  owner: string;
  detail: string;
  pageCondition: string;
}

export interface ShadowEntry {
  client: string;
  name: string;
  file: string;
}

export function gateNotice(gate: PagedGate): Notice {
  return { title: `Gate paging: ${name(gate.name)}`, body: `${gate.detail}; pages ${gate.owner} when ${gate.pageCondition}. Open the Gates page.` };
}

export function shadowEntryNotice(row: ShadowEntry, autoProtect: boolean): Notice {
  const [server, file, client] = [name(row.name), oneLineName(row.file, REASON_CHARS), name(row.client)];
  return {
    title: `New unprotected server: ${server}`,
    body: autoProtect
      ? `'${server}' appeared in ${file} (${client}) outside the firewall; auto-protect is routing it through again.`
      : `'${server}' appeared in ${file} (${client}) and bypasses the firewall. Protect it on the Servers page.`,
  };
}

export interface Notifier {
  handle(rows: ActivityRow[]): number;
  gatePaged(gate: PagedGate): void;
  shadowEntry(row: ShadowEntry, autoProtect: boolean): void;
}

/** At most a few per batch: a shadow server in a crash loop must not flood the desktop. */
export function createNotifier(show: ShowNotification, maxPerBatch = 3): Notifier {
  return {
    handle(rows) {
      const notices = rows.map(noticeFor).filter((n): n is Notice => n !== null);
      const unique = [...new Map(notices.map((n) => [n.title, n])).values()].slice(0, maxPerBatch);
      unique.forEach(show);
      return unique.length;
    },
    gatePaged: (gate) => show(gateNotice(gate)),
    shadowEntry: (row, autoProtect) => show(shadowEntryNotice(row, autoProtect)),
  };
}
