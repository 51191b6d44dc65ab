import type { MenuItemConstructorOptions } from 'electron';
import type { FeedState } from '../activity-feed.js';
import { oneLineName } from '../../firewall/manifest/visible-text.js';

export type TrayState = 'ok' | 'pending' | 'paging' | 'paused' | 'emergency';

/** A file path or an Electron NativeImage: whatever Tray.setImage takes. */
export type TrayImage = string | object;

/** The parts of Electron's Tray and Menu the controller uses; tests pass fakes. */
export interface TrayLike {
  setImage(image: TrayImage): void;
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
}

export interface TrayActions {
  openDashboard(page?: string): void;
  protectAll(): void;
  setEmergency(on: boolean): void;
  /** Minutes to pause for, or null to resume. */
  setPause(minutes: number | null): void;
  quit(): void;
}

export interface TrayDeps {
  tray: TrayLike;
  buildMenu: (template: MenuItemConstructorOptions[]) => unknown;
  icons: Record<TrayState, TrayImage>;
  actions: TrayActions;
}

export const TRAY_PAUSE_MINUTES = 15;

/** Worst first: a page or a waiting call needs the user now; a pause is a state they chose. */
export function trayState(state: FeedState): TrayState {
  if (state.paging.length > 0) return 'paging';
  if (state.pending.length > 0) return 'pending';
  if (state.emergency) return 'emergency';
  if (state.pausedUntil) return 'paused';
  return 'ok';
}

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });

// Server and tool names come from configs and servers: in a menu item a bidi override would turn
// the verdict after it around, and a line break would draw an item of its own.
const MENU_NAME_CHARS = 60;
const name = (text: string) => oneLineName(text, MENU_NAME_CHARS);

export function statusLine(state: FeedState): string {
  const parts: string[] = [];
  if (state.paging.length) parts.push(state.paging.length === 1 ? `Paging: ${name(state.paging[0]!.name)}` : `${state.paging.length} gates paging`);
  if (state.pending.length) parts.push(`${state.pending.length} approval(s) waiting`);
  if (state.emergency) parts.push('Emergency: all writes need approval');
  else if (state.pausedUntil) parts.push(`Paused until ${clock(state.pausedUntil)}`);
  return parts.join(' · ') || 'Protection on';
}

const VERDICT_MARK: Record<string, string> = { ALLOW: '✓', DENY: '✕', REQUIRE_APPROVAL: '…' };

export function trayMenu(state: FeedState, actions: TrayActions): MenuItemConstructorOptions[] {
  const pending: MenuItemConstructorOptions[] = state.pending.map((p) => ({
    label: `Approve? ${name(p.server)} · ${name(p.tool)} (${name(p.client)})`,
    click: () => actions.openDashboard('approvals'),
  }));
  const paging: MenuItemConstructorOptions[] = state.paging.map((g) => ({
    label: `Gate paging: ${name(g.name)}${g.owner ? ` (${name(g.owner)})` : ''}`,
    click: () => actions.openDashboard('gates'),
  }));
  const recent: MenuItemConstructorOptions[] = state.recentCalls.length === 0
    ? [{ label: 'No tool calls yet', enabled: false }]
    : state.recentCalls.map((r) => ({
      label: `${VERDICT_MARK[r.decision] ?? '·'} ${name(r.client ?? '?')} → ${name(r.server ?? '?')} · ${name(r.tool ?? r.method ?? r.event)}  ${r.decision}`,
      click: () => actions.openDashboard('activity'),
    }));
  return [
    { label: statusLine(state), enabled: false },
    ...(paging.length ? [{ type: 'separator' as const }, ...paging] : []),
    ...(pending.length ? [{ type: 'separator' as const }, ...pending] : []),
    { type: 'separator' },
    { label: 'Recent calls', enabled: false },
    ...recent,
    { type: 'separator' },
    state.pausedUntil
      ? { label: 'Resume', click: () => actions.setPause(null) }
      : { label: `Pause protection (${TRAY_PAUSE_MINUTES} min)`, click: () => actions.setPause(TRAY_PAUSE_MINUTES) },
    { label: 'Emergency: approve all writes', type: 'checkbox', checked: state.emergency, click: () => actions.setEmergency(!state.emergency) },
    { label: 'Protect all clients', click: () => actions.protectAll() },
    { label: 'Open dashboard', click: () => actions.openDashboard() },
    { type: 'separator' },
    { label: 'Quit MCP Firewall', click: () => actions.quit() },
  ];
}

export interface TrayController {
  update(state: FeedState): TrayState;
}

export function createTrayController(deps: TrayDeps): TrayController {
  let shown: TrayState | null = null;
  return {
    update(state) {
      const next = trayState(state);
      if (next !== shown) deps.tray.setImage(deps.icons[next]);
      shown = next;
      deps.tray.setToolTip(`MCP Firewall: ${statusLine(state).replace(/^Protection on$/, 'protection on')}`);
      deps.tray.setContextMenu(deps.buildMenu(trayMenu(state, deps.actions)));
      return next;
    },
  };
}
