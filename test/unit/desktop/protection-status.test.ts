import { afterEach, describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent, MenuItemConstructorOptions } from 'electron';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActivityFeed } from '../../../main/desktop/activity-feed.js';
import { createNotifier, type Notice } from '../../../main/desktop/adapters/notifier.js';
import { createTrayController, type TrayActions, type TrayLike } from '../../../main/desktop/adapters/tray-controller.js';
import { startEngineHost } from '../../../main/desktop/engine-host.js';
import { registerIpcHandlers, type IpcMainLike } from '../../../main/desktop/ipc/register-handlers.js';
import type { AuditEntry } from '../../../main/firewall/audit/audit-log.js';
import { AUTO_PROTECT_KEY } from '../../../main/firewall/client-watch.js';
import { getSetting } from '../../../main/firewall/store/database.js';
import { CHANNELS } from '../../../preload/contract.js';
import { waitFor } from '../../helpers/engine-harness.js';
import { makeClaudeDesktopHome, stdioEntry } from '../../helpers/client-home.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { desktopEngine, writeCall } from './desktop-engine.js';

const ICONS = { ok: 'ok.png', pending: 'pending.png', emergency: 'emergency.png', paging: 'paging.png', paused: 'paused.png' };

function fakeTray() {
  const images: unknown[] = [];
  let menu: MenuItemConstructorOptions[] = [];
  const tray: TrayLike = { setImage: (i) => void images.push(i), setToolTip: () => {}, setContextMenu: (m) => void (menu = m as MenuItemConstructorOptions[]) };
  const click = (label: string) => {
    const item = menu.find((i) => i.label === label);
    if (!item) throw new Error(`no menu item '${label}' in ${menu.map((i) => i.label).join(' | ')}`);
    (item.click as () => void)();
  };
  return { tray, images, labels: () => menu.map((i) => i.label ?? '-'), click };
}

const unapprovedWrite = (eventTime?: string): AuditEntry => ({ event: 'call', decision: 'ALLOW', client: 'cursor', serverName: 'filesystem', toolName: 'write_file', actionClass: 'write', ...(eventTime ? { eventTime } : {}) });

describe('pause, emergency and gates in the desktop shell, over the engine', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());

  it('turns the tray to paging and notifies once when an unapproved write makes a gate page', async () => {
    ctx = desktopEngine({ gateIntervalMs: 30 });
    const fake = fakeTray();
    const shown: Notice[] = [];
    const opened: Array<string | undefined> = [];
    const notifier = createNotifier((n) => void shown.push(n));
    const actions: TrayActions = { openDashboard: (p) => void opened.push(p), protectAll() {}, setEmergency() {}, setPause() {}, quit() {} };
    const tray = createTrayController({ tray: fake.tray, buildMenu: (t) => t, icons: ICONS, actions });
    const feed = createActivityFeed(ctx.service, 60_000, () => ctx.engine.gates());
    feed.onUpdate(({ state, rows }) => {
      tray.update(state);
      notifier.handle(rows);
    });
    ctx.engine.onGatePage((gate) => notifier.gatePaged(gate));
    await feed.tick();
    expect(fake.images).toEqual(['ok.png']);

    ctx.engine.record(unapprovedWrite());
    await waitFor(() => shown.length > 0, 'the gate watch to page');
    await feed.tick();
    expect(fake.images.at(-1)).toBe('paging.png');
    expect(shown).toEqual([{ title: 'Gate paging: Unapproved write calls', body: expect.stringContaining('Governance On-call') }]);
    fake.click('Gate paging: Unapproved write calls (Governance On-call)');
    expect(opened).toEqual(['gates']);
    feed.stop();
  });

  it('pauses from the tray so a write goes through unasked (and pages the gate), then resumes so the next one waits', async () => {
    ctx = desktopEngine();
    const fake = fakeTray();
    const actions: TrayActions = { openDashboard() {}, protectAll() {}, setEmergency: (on) => ctx.engine.setEmergencyWriteApproval(on, 'tray'), setPause: (m) => void ctx.engine.pauseProtection(m, 'tray'), quit() {} };
    const tray = createTrayController({ tray: fake.tray, buildMenu: (t) => t, icons: ICONS, actions });
    const feed = createActivityFeed(ctx.service, 60_000, () => ctx.engine.gates());
    feed.onUpdate(({ state }) => tray.update(state));
    await feed.tick();
    fake.click('Pause protection (15 min)');
    const until = Date.parse(ctx.engine.pausedUntil()!);
    expect(until - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    await feed.tick();
    expect(fake.images.at(-1)).toBe('paused.png');
    expect(fake.labels()[0]).toMatch(/^Paused until \d\d:\d\d$/);
    await expect(ctx.engine.gate.decide(writeCall(), 'claude-code', () => {}).verdict).resolves.toMatchObject({ decision: 'ALLOW', ruleId: 'protection-paused' });

    // The unasked write is exactly what the "Unapproved write calls" gate watches for.
    await feed.tick();
    expect(fake.images.at(-1)).toBe('paging.png');

    fake.click('Emergency: approve all writes');
    await feed.tick();
    expect(fake.labels()[0]).toContain('Emergency: all writes need approval');
    fake.click('Emergency: approve all writes');
    fake.click('Resume');
    expect(ctx.engine.pausedUntil()).toBeNull();
    const asked = ctx.engine.gate.decide(writeCall(), 'claude-code', () => {});
    expect(ctx.engine.approvals.list()).toHaveLength(1);
    await feed.tick();
    expect(fake.labels()).toContain('Approve? filesystem · write_file (claude-code)');
    expect(fake.labels()).toContain('Pause protection (15 min)');
    ctx.engine.approvals.answer(ctx.engine.approvals.list()[0]!.id, 'deny', 'once');
    await expect(asked.verdict).resolves.toMatchObject({ decision: 'DENY' });
    feed.stop();
  });
});

describe('status methods behind the IPC contract', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());
  const fromDashboard = { senderFrame: { url: 'file:///app/index.html', parent: null } } as unknown as IpcMainInvokeEvent;

  function handlers() {
    const map = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>>();
    const ipc: IpcMainLike = { handle: (c, fn) => void map.set(c, fn), removeHandler: (c) => void map.delete(c) };
    registerIpcHandlers(ipc, ctx.service, () => true);
    return (channel: string, arg?: unknown) => map.get(channel)!(fromDashboard, arg);
  }

  it('refuses a pause without an end or longer than a day, and pauses and resumes a valid one', async () => {
    ctx = desktopEngine();
    const call = handlers();
    await expect(call(CHANNELS.setPause, { minutes: 0 })).rejects.toThrow(/invalid arguments for setPause/);
    await expect(call(CHANNELS.setPause, { minutes: 24 * 60 + 1 })).rejects.toThrow(/invalid arguments/);
    await expect(call(CHANNELS.setPause, {})).rejects.toThrow(/invalid arguments/);
    expect(ctx.engine.pausedUntil()).toBeNull();
    const { pausedUntil } = (await call(CHANNELS.setPause, { minutes: 5 })) as { pausedUntil: string };
    expect(((await call(CHANNELS.overview)) as { pausedUntil: string }).pausedUntil).toBe(pausedUntil);
    await call(CHANNELS.setPause, { minutes: null });
    expect(ctx.engine.pausedUntil()).toBeNull();
  });

  it('charts a gate over two hours with each point counting only its own window', async () => {
    ctx = desktopEngine();
    const call = handlers();
    ctx.engine.record(unapprovedWrite(new Date(Date.now() - 60 * 60_000).toISOString()));
    const view = (await call(CHANNELS.gates)) as { gates: Array<{ id: string; paging: boolean; series: Array<{ value: number }> }> };
    expect(view.gates).toHaveLength(5);
    const writes = view.gates.find((g) => g.id === 'unapproved-write-calls')!;
    expect(writes.series).toHaveLength(24);
    const values = writes.series.map((p) => p.value);
    // The write an hour ago shows in the points whose 10-minute window holds it, and nowhere else.
    expect(values.filter((v) => v === 1).length).toBeGreaterThanOrEqual(1);
    expect(values.filter((v) => v === 1).length).toBeLessThanOrEqual(2);
    expect(values[0]).toBe(0);
    expect(values.at(-1)).toBe(0);
    expect(writes.paging).toBe(false);
  });

  it('turns auto-protect on and off in the engine setting the client watch reads', async () => {
    ctx = desktopEngine();
    const call = handlers();
    expect(await call(CHANNELS.autoProtect)).toEqual({ enabled: false });
    await expect(call(CHANNELS.setAutoProtect, { enabled: 'yes' })).rejects.toThrow(/invalid arguments/);
    expect(await call(CHANNELS.setAutoProtect, { enabled: true })).toEqual({ enabled: true });
    expect(getSetting(ctx.engine.db, AUTO_PROTECT_KEY)).toBe('on');
    await call(CHANNELS.setAutoProtect, { enabled: false });
    expect(getSetting(ctx.engine.db, AUTO_PROTECT_KEY)).toBe('off');
  });
});

describe('the engine host watches client configs', () => {
  it('announces an unprotected entry that appears in a client config', async () => {
    const home = makeClaudeDesktopHome('{ "mcpServers": {} }');
    const dataDir = mkdtempSync(join(tmpdir(), 'mcpfw-host-'));
    const seen: string[] = [];
    const host = await startEngineHost({
      dataDir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), rendererDir: join(dataDir, 'none'), configPollMs: 50, port: 0,
      clients: { env: home.env, platform: 'linux', projectDirs: [], runtimePath: process.execPath, cliPath: '/nonexistent/cli.js' },
      onShadowEntry: (row) => void seen.push(`${row.client}:${row.name}`),
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 150));
      writeFileSync(home.configFile, `{ "mcpServers": { ${stdioEntry('sneaky', 'npx', ['sneaky-server'])} } }`);
      await waitFor(() => seen.length > 0, 'the watch to see the new entry');
      expect(seen).toEqual(['claude-desktop:sneaky']);
      const rows = host.engine.db.prepare("SELECT decision, server_name FROM mcp_audit WHERE rule_id = 'client-config-watch'").all();
      expect(rows).toEqual([{ decision: 'SHADOW_ENTRY', server_name: 'sneaky' }]);
    } finally {
      await host.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(home.userHome, { recursive: true, force: true });
    }
  });

  it('takes the port it prefers, and a free one when that is taken, so the app still starts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcpfw-host-'));
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as AddressInfo).port;
    const home = makeClaudeDesktopHome('{ "mcpServers": {} }');
    const host = await startEngineHost({
      dataDir, defaultPolicyFile: join(REPO_ROOT, 'resources', 'default-policy.yaml'), rendererDir: join(dataDir, 'none'), port: taken,
      clients: { env: home.env, platform: 'linux', projectDirs: [], runtimePath: process.execPath, cliPath: '/nonexistent/cli.js' },
    });
    try {
      expect(host.port).toBeGreaterThan(0);
      expect(host.port).not.toBe(taken);
      const status = await fetch(`http://127.0.0.1:${host.port}/api/health`, { headers: { authorization: `Bearer ${host.token}` } });
      expect(status.status).toBe(200);
    } finally {
      await host.close();
      squatter.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(home.userHome, { recursive: true, force: true });
    }
  });
});
