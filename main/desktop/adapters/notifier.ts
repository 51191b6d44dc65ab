import type { ActivityRow } from '../../../preload/contract.js';

export interface Notice {
  title: string;
  body: string;
}

/** new Notification(options).show(), injected so it is testable outside Electron. */
export type ShowNotification = (notice: Notice) => void;

/**
 * Which audit rows deserve an OS notification: the ones where something tried to run
 * that nobody approved, or changed under us. Routine allows and denials stay in the tray.
 */
export function noticeFor(row: ActivityRow): Notice | null {
  const server = row.server ?? 'a server';
  switch (row.ruleId) {
    case 'registry-shadow':
      return { title: `Shadow server blocked: ${server}`, body: `${row.client ?? 'A client'} tried to start '${server}', which is not approved. Review it on the Servers page.` };
    case 'registry-drift':
      return { title: `Server changed: ${server}`, body: `The launch line of '${server}' changed since it was approved, so it was refused.` };
    case 'registry-disabled':
      return { title: `Disabled server refused: ${server}`, body: `${row.client ?? 'A client'} tried to start '${server}', which is disabled.` };
    default:
      break;
  }
  if (row.event === 'manifest' && row.decision !== 'ACCEPTED' && row.decision !== 'ALLOW' && row.decision !== 'PINNED' && !/^WINDOW_/.test(row.decision)) {
    return { title: `Tool definition drift: ${server}`, body: `${row.tool ?? 'A tool'} changed its definition and is blocked until you accept it. ${row.reason ?? ''}`.trim() };
  }
  if (row.decision === 'QUARANTINE') return { title: `Result quarantined: ${server} · ${row.tool ?? ''}`, body: row.reason ?? 'A tool result was held back.' };
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
  return { title: `Gate paging: ${gate.name}`, body: `${gate.detail}; pages ${gate.owner} when ${gate.pageCondition}. Open the Gates page.` };
}

export function shadowEntryNotice(row: ShadowEntry, autoProtect: boolean): Notice {
  return {
    title: `New unprotected server: ${row.name}`,
    body: autoProtect
      ? `'${row.name}' appeared in ${row.file} (${row.client}) outside the firewall; auto-protect is routing it through again.`
      : `'${row.name}' appeared in ${row.file} (${row.client}) and bypasses the firewall. Protect it on the Servers page.`,
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
