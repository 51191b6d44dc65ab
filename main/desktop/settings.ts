import Store from 'electron-store';

export interface DesktopSettings {
  startAtLogin: boolean;
  window: { width: number; height: number; x?: number; y?: number };
}

/** Settings and window state; never secrets (those live in the OS keychain). */
export function openSettings(): Store<DesktopSettings> {
  return new Store<DesktopSettings>({
    name: 'desktop-settings',
    defaults: { startAtLogin: false, window: { width: 1200, height: 800 } },
  });
}
