import { afterEach, describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { DASHBOARD_PAGE } from '../../../main/desktop/app-protocol.js';
import { registerIpcHandlers, type IpcMainLike } from '../../../main/desktop/ipc/register-handlers.js';
import { trustedSender } from '../../../main/desktop/window-guards.js';
import type { DashboardService } from '../../../main/firewall/api/dashboard-service.js';
import { CHANNELS } from '../../../preload/contract.js';
import { desktopEngine, writeCall } from './desktop-engine.js';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const ipc: IpcMainLike = { handle: (channel, fn) => void handlers.set(channel, fn), removeHandler: (channel) => void handlers.delete(channel) };
  return { ipc, handlers };
}

const fromDashboard = { senderFrame: { url: `${DASHBOARD_PAGE}#/approvals`, parent: null } } as unknown as IpcMainInvokeEvent;
const fromElsewhere = { senderFrame: { url: 'https://evil.example/', parent: null } } as unknown as IpcMainInvokeEvent;
const trusted = trustedSender();

describe('IPC handlers behind the preload contract', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());

  it('registers exactly one handler per contract method, and removes them all', () => {
    ctx = desktopEngine();
    const { ipc, handlers } = fakeIpcMain();
    const unregister = registerIpcHandlers(ipc, ctx.service, trusted);
    expect([...handlers.keys()].sort()).toEqual(Object.values(CHANNELS).sort());
    unregister();
    expect(handlers.size).toBe(0);
  });

  it('answers a pending approval from the dashboard through the engine', async () => {
    ctx = desktopEngine();
    const { ipc, handlers } = fakeIpcMain();
    registerIpcHandlers(ipc, ctx.service, trusted);
    const decision = ctx.engine.gate.decide(writeCall(), 'claude-code', () => {});
    const [pending] = (await handlers.get(CHANNELS.approvals)!(fromDashboard)) as Array<{ id: string; argumentsPreview: string }>;
    expect(pending!.argumentsPreview).toContain('/tmp/x.txt');
    await handlers.get(CHANNELS.answerApproval)!(fromDashboard, { id: pending!.id, verdict: 'allow', scope: 'always' });
    expect(await decision.verdict).toMatchObject({ decision: 'ALLOW', reason: 'approved (always)' });
  });

  it('rejects arguments that do not match the schema, and calls from other frames', async () => {
    ctx = desktopEngine();
    const { ipc, handlers } = fakeIpcMain();
    registerIpcHandlers(ipc, ctx.service, trusted);
    await expect(handlers.get(CHANNELS.answerApproval)!(fromDashboard, { id: 'apr_x', verdict: 'maybe' })).rejects.toThrow(/invalid arguments for answerApproval: verdict/);
    await expect(handlers.get(CHANNELS.setServerEnabled)!(fromDashboard, { name: 'x', enabled: 'yes' })).rejects.toThrow(/enabled/);
    await expect(handlers.get(CHANNELS.approveServer)!(fromElsewhere, { name: 'github', launch: null })).rejects.toThrow(/not the dashboard/);
    // The page says which waiting launch line it showed, if any: an approval that does not is refused.
    await expect(handlers.get(CHANNELS.approveServer)!(fromDashboard, { name: 'github' })).rejects.toThrow(/launch/);
    expect(ctx.engine.registry.get('github')).toBeNull();
    await handlers.get(CHANNELS.approveServer)!(fromDashboard, { name: 'github', launch: null });
    expect(ctx.engine.registry.get('github')).toMatchObject({ name: 'github', enabled: true });
  });

  it('validates a policy edit without saving it, and refuses to save a broken one', async () => {
    ctx = desktopEngine();
    const { ipc, handlers } = fakeIpcMain();
    registerIpcHandlers(ipc, ctx.service, trusted);
    const before = (await handlers.get(CHANNELS.policy)!(fromDashboard)) as { source: string };
    const broken = before.source.replace('decision: ALLOW', 'decision: PERHAPS');
    const errors = (await handlers.get(CHANNELS.checkPolicy)!(fromDashboard, { source: broken })) as Array<{ line: number; message: string }>;
    expect(errors[0]).toMatchObject({ line: expect.any(Number), message: expect.stringContaining('ALLOW') });
    expect(await handlers.get(CHANNELS.savePolicy)!(fromDashboard, { source: broken })).toMatchObject({ saved: false });
    expect(((await handlers.get(CHANNELS.policy)!(fromDashboard)) as { source: string }).source).toBe(before.source);
  });

  it('opens an OAuth login URL in the system browser, and tells the page it did', async () => {
    const started = { authorizationUrl: 'https://as.example.test/authorize?state=s', opened: false };
    ctx = desktopEngine();
    // The flow itself is tested in dashboard-oauth.test.ts; here only what the shell adds.
    const service: DashboardService = { ...ctx.service, startOAuthLogin: async () => started };
    const openedExternally: string[] = [];
    const { ipc, handlers } = fakeIpcMain();
    registerIpcHandlers(ipc, service, trusted, { openExternal: async (url) => void openedExternally.push(url) });
    expect(await handlers.get(CHANNELS.startOAuthLogin)!(fromDashboard, { name: 'tracker' })).toEqual({ ...started, opened: true });
    expect(openedExternally).toEqual([started.authorizationUrl]);
  });
});
