import { afterEach, describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { createActivityFeed } from '../../../main/desktop/activity-feed.js';
import { createNotifier, noticeFor, platformNotice, shadowEntryNotice, type Notice } from '../../../main/desktop/adapters/notifier.js';
import { createTrayController, type TrayLike } from '../../../main/desktop/adapters/tray-controller.js';
import { desktopEngine, writeCall } from './desktop-engine.js';

function fakeTray() {
  const images: unknown[] = [];
  let tooltip = '';
  let menu: MenuItemConstructorOptions[] = [];
  const tray: TrayLike = {
    setImage: (image) => void images.push(image),
    setToolTip: (text) => void (tooltip = text),
    setContextMenu: (m) => void (menu = m as MenuItemConstructorOptions[]),
  };
  return { tray, images, tooltip: () => tooltip, labels: () => menu.map((item) => item.label ?? '-'), item: (label: string) => menu.find((i) => i.label === label) };
}

describe('tray and notifications over the engine', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());

  it('shows a pending approval with the pending icon, then the decided call among recent calls', async () => {
    ctx = desktopEngine();
    const fake = fakeTray();
    const actions = { emergency: [] as boolean[], opened: [] as Array<string | undefined> };
    const tray = createTrayController({
      tray: fake.tray,
      buildMenu: (template) => template,
      icons: { ok: 'ok.png', pending: 'pending.png', emergency: 'emergency.png', paging: 'paging.png', paused: 'paused.png' },
      actions: { openDashboard: (p) => void actions.opened.push(p), protectAll: () => {}, setEmergency: (on) => void actions.emergency.push(on), setPause: () => {}, quit: () => {} },
    });
    const feed = createActivityFeed(ctx.service, 60_000);
    feed.onUpdate(({ state }) => tray.update(state));
    await feed.tick();
    expect(fake.images).toEqual(['ok.png']);
    expect(fake.labels()).toContain('No tool calls yet');

    const decision = ctx.engine.gate.decide(writeCall(), 'claude-code', () => {});
    await feed.tick();
    expect(fake.images.at(-1)).toBe('pending.png');
    expect(fake.tooltip()).toContain('1 approval(s) waiting');
    const approve = fake.item('Approve? filesystem · write_file (claude-code)');
    (approve!.click as () => void)();
    expect(actions.opened).toEqual(['approvals']);

    const [pending] = ctx.engine.approvals.list();
    ctx.engine.approvals.answer(pending!.id, 'allow', 'once');
    await decision.verdict;
    await feed.tick();
    expect(fake.images.at(-1)).toBe('ok.png');
    expect(fake.labels().some((l) => /claude-code → filesystem · write_file\s+ALLOW/.test(l))).toBe(true);
    (fake.item('Emergency: approve all writes')!.click as () => void)();
    expect(actions.emergency).toEqual([true]);
    feed.stop();
  });

  it('keeps only the last ten calls in the tray', async () => {
    ctx = desktopEngine();
    const fake = fakeTray();
    const tray = createTrayController({ tray: fake.tray, buildMenu: (t) => t, icons: { ok: 'ok', pending: 'p', emergency: 'e', paging: 'g', paused: 'z' }, actions: { openDashboard() {}, protectAll() {}, setEmergency() {}, setPause() {}, quit() {} } });
    const feed = createActivityFeed(ctx.service, 60_000);
    feed.onUpdate(({ state }) => tray.update(state));
    await feed.tick();
    for (let i = 0; i < 14; i++) ctx.engine.record({ event: 'call', decision: 'ALLOW', client: 'cursor', serverName: 'memory', toolName: `read_${i}`, actionClass: 'read' });
    await feed.tick();
    const calls = fake.labels().filter((l) => l.includes('cursor → memory'));
    expect(calls).toHaveLength(10);
    expect(calls[0]).toContain('read_13');
    feed.stop();
  });

  it('notifies once when a shadow server is refused, and not for routine calls', async () => {
    ctx = desktopEngine();
    const shown: Notice[] = [];
    const notifier = createNotifier((n) => void shown.push(n));
    const feed = createActivityFeed(ctx.service, 60_000);
    feed.onUpdate(({ rows }) => notifier.handle(rows));
    await feed.tick();
    ctx.engine.record({ event: 'call', decision: 'ALLOW', client: 'cursor', serverName: 'memory', toolName: 'read_graph', actionClass: 'read' });
    const admission = ctx.engine.registry.admit('evil-tools', { command: 'npx', args: ['evil-tools'] }, 'cursor');
    expect(admission.admitted).toBe(false);
    for (let i = 0; i < 5; i++) {
      ctx.engine.record({ event: 'registry', decision: 'DENY', client: 'cursor', serverName: 'evil-tools', ruleId: 'registry-shadow', reason: 'not in the registry' });
    }
    await feed.tick();
    expect(shown).toEqual([{ title: 'Shadow server blocked: evil-tools', body: expect.stringContaining("cursor tried to start 'evil-tools'") }]);
    feed.stop();
  });

  it('shows server and tool names in the tray on one line, spelled out and bounded', async () => {
    ctx = desktopEngine();
    const fake = fakeTray();
    const tray = createTrayController({ tray: fake.tray, buildMenu: (t) => t, icons: { ok: 'ok', pending: 'p', emergency: 'e', paging: 'g', paused: 'z' }, actions: { openDashboard() {}, protectAll() {}, setEmergency() {}, setPause() {}, quit() {} } });
    const feed = createActivityFeed(ctx.service, 60_000);
    feed.onUpdate(({ state }) => tray.update(state));
    // Raw, the override turns "ALLOW" after the name around and the line break draws an item of its own.
    ctx.engine.record({ event: 'call', decision: 'DENY', client: 'cursor', serverName: 'memory', toolName: `rm_rf\u202E\nWOLLA ${'y'.repeat(5_000)}`, actionClass: 'write' });
    await feed.tick();
    const label = fake.labels().find((l) => l.includes('cursor → memory'))!;
    expect(label).toMatch(/^✕ cursor → memory · rm_rf\\u\{202E\}\\u\{A\}WOLLA y+…\(\d+ chars cut\)…y+ {2}DENY$/);
    expect(label.length).toBeLessThan(140);
    feed.stop();
  });
});

describe('notice text', () => {
  it('keeps names in notices on one line, and escapes markup in the body where libnotify would read it', () => {
    const link = '<a href="https://evil.example/login">Re-approve here</a>';
    const row: Parameters<typeof noticeFor>[0] = {
      id: 1, time: '2026-01-01T00:00:00Z', event: 'registry', decision: 'DENY', client: 'cursor', server: `evil${link}\nAll clear`, tool: null,
      method: null, actionClass: null, ruleId: 'registry-shadow', reason: null, approvalId: null, argsDigest: null, latencyMs: null,
    };
    const notice = noticeFor(row)!;
    expect(`${notice.title}${notice.body}`).not.toMatch(/\n/);
    expect(notice.title).toBe(`Shadow server blocked: evil${link}\\u{A}All clear`);
    const linux = platformNotice(notice, 'linux');
    expect(linux.body).not.toMatch(/[<>]/);
    expect(linux.body).toContain('evil&lt;a href="https://evil.example/login"&gt;Re-approve here&lt;/a&gt;');
    expect(linux.title).toBe(notice.title);
    // macOS and Windows show the body as plain text: escaping there would show "&lt;".
    expect(platformNotice(notice, 'darwin')).toEqual(notice);
    const entry = shadowEntryNotice({ client: 'cursor', name: `x\u202Eyz`, file: `/home/u/.cursor/mcp.json\n${'p'.repeat(1_000)}` }, false);
    expect(`${entry.title}${entry.body}`).not.toMatch(/[\n\u202E]/);
    expect(entry.body.length).toBeLessThan(500);
  });

  it('shows a drift notice for a held tool, and none for pins moved to a newer digest', () => {
    const row = (decision: string): Parameters<typeof noticeFor>[0] => ({
      id: 1, time: '2026-01-01T00:00:00Z', event: 'manifest', decision, client: 'cursor', server: 'notes', tool: decision === 'DRIFT' ? 'read_notes' : null,
      method: null, actionClass: null, ruleId: 'manifest-pin', reason: null, approvalId: null, argsDigest: null, latencyMs: null,
    });
    expect(noticeFor(row('DRIFT'))?.title).toBe('Tool definition drift: notes');
    expect(noticeFor(row('PIN_UPGRADED'))).toBeNull();
  });
});
