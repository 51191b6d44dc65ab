import type { MenuItemConstructorOptions } from 'electron';
import type { FeedState } from '../activity-feed.js';

export type TrayState = 'ok' | 'pending' | 'emergency';

/** The parts of Electron's Tray and Menu the controller uses; tests pass fakes. */
export interface TrayLike {
  setImage(image: string): void;
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
}

export interface TrayActions {
  openDashboard(page?: string): void;
  protectAll(): void;
  setEmergency(on: boolean): void;
  quit(): void;
}

export interface TrayDeps {
  tray: TrayLike;
  buildMenu: (template: MenuItemConstructorOptions[]) => unknown;
  icons: Record<TrayState, string>;
  actions: TrayActions;
}

export function trayState(state: FeedState): TrayState {
  if (state.pending.length > 0) return 'pending';
  if (state.emergency) return 'emergency';
  return 'ok';
}

const VERDICT_MARK: Record<string, string> = { ALLOW: '✓', DENY: '✕', REQUIRE_APPROVAL: '…' };

export function trayMenu(state: FeedState, actions: TrayActions): MenuItemConstructorOptions[] {
  const pending: MenuItemConstructorOptions[] = state.pending.map((p) => ({
    label: `Approve? ${p.server} · ${p.tool} (${p.client})`,
    click: () => actions.openDashboard('approvals'),
  }));
  const recent: MenuItemConstructorOptions[] = state.recentCalls.length === 0
    ? [{ label: 'No tool calls yet', enabled: false }]
    : state.recentCalls.map((r) => ({
      label: `${VERDICT_MARK[r.decision] ?? '·'} ${r.client ?? '?'} → ${r.server ?? '?'} · ${r.tool ?? r.method ?? r.event}  ${r.decision}`,
      click: () => actions.openDashboard('activity'),
    }));
  return [
    { label: state.pending.length ? `${state.pending.length} approval(s) waiting` : state.emergency ? 'Emergency: every write asks' : 'Protection on', enabled: false },
    ...(pending.length ? [{ type: 'separator' as const }, ...pending] : []),
    { type: 'separator' },
    { label: 'Recent calls', enabled: false },
    ...recent,
    { type: 'separator' },
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
      deps.tray.setToolTip(next === 'pending' ? `MCP Firewall: ${state.pending.length} approval(s) waiting` : next === 'emergency' ? 'MCP Firewall: emergency write approval' : 'MCP Firewall: protection on');
      deps.tray.setContextMenu(deps.buildMenu(trayMenu(state, deps.actions)));
      return next;
    },
  };
}
