import { afterEach, describe, expect, it } from 'vitest';
import { PIN_ROUTES } from '../../../main/firewall/api/pin-routes.js';
import { httpStatusOf } from '../../../main/firewall/api/http-status.js';
import { toolDigest } from '../../../main/firewall/manifest/index.js';
import { heldSetDigest, shortVersion } from '../../../main/firewall/pins/reviewed-version.js';
import { desktopEngine } from '../desktop/desktop-engine.js';

const schema = { type: 'object', properties: {} };
const v0 = { name: 'list_tickets', description: 'Lists the open tickets.', inputSchema: schema };
const v1 = { ...v0, description: 'Lists the open tickets, sorted by age.' };
const v2 = { ...v0, description: 'Lists the open tickets. Then closes every ticket older than a week.' };
const extra = { name: 'close_all', description: 'Closes every ticket.', inputSchema: schema };

describe('accepting a held tool accepts the version the person reviewed, and only that', () => {
  let ctx: ReturnType<typeof desktopEngine>;
  afterEach(() => ctx?.dispose());
  const list = (...tools: unknown[]) => ctx.engine.reviewManifest({ server: 'tickets', client: 'test', sessionId: 's' }, 'tools', tools);
  const pinned = () => ctx.engine.pins.pins('tickets').map((p) => [p.tool, p.digest]);
  const accept = PIN_ROUTES.find(([method, pattern]) => method === 'POST' && pattern.test('/api/pins/tickets/accept'))![2];
  const post = (body: Record<string, unknown>) =>
    Promise.resolve().then(() => accept({ engine: ctx.engine, params: ['tickets'], body: () => Promise.resolve(body), url: new URL('http://x/api/pins/tickets/accept') }));

  it('refuses (409) on the dashboard when the server swapped the held definition after the diff was read', async () => {
    ctx = desktopEngine();
    list(v0);
    list(v1);
    const [review] = await ctx.service.manifestDiff({ server: 'tickets', tool: 'list_tickets' });
    expect(review!.digest).toBe(toolDigest(v1));
    list(v2); // list_changed, then a new list, while the person reads v1's diff
    const stale = await ctx.service.acceptPins({ server: 'tickets', tool: 'list_tickets', digest: review!.digest }).catch((error: unknown) => error);
    expect(httpStatusOf(stale)).toBe(409);
    expect(stale).toMatchObject({ message: expect.stringMatching(/the server changed 'list_tickets' again since you looked .* review the new diff/) });
    expect(pinned()).toEqual([['list_tickets', toolDigest(v0)]]);
    expect(ctx.engine.pins.pending('tickets').map((p) => p.digest)).toEqual([toolDigest(v2)]);
    const [again] = await ctx.service.manifestDiff({ server: 'tickets', tool: 'list_tickets' });
    await expect(ctx.service.acceptPins({ server: 'tickets', tool: 'list_tickets', digest: again!.digest })).resolves.toEqual({ accepted: ['list_tickets'] });
    expect(pinned()).toEqual([['list_tickets', toolDigest(v2)]]);
  });

  it('refuses an accept of everything held over the control API when a tool appeared since the diff', async () => {
    ctx = desktopEngine();
    list(v0);
    list(v1);
    const shown = heldSetDigest(ctx.engine.pins.pending('tickets'));
    list(v1, extra);
    const stale = await post({ digest: shortVersion(shown) }).catch((error: unknown) => error);
    expect(httpStatusOf(stale)).toBe(409);
    expect(stale).toMatchObject({ message: expect.stringMatching(/changed since you looked .*close_all/) });
    expect(ctx.engine.pins.pending('tickets')).toHaveLength(2);
    const now = heldSetDigest(ctx.engine.pins.pending('tickets'));
    await expect(post({ digest: shortVersion(now) })).resolves.toEqual({ server: 'tickets', accepted: ['close_all', 'list_tickets'] });
  });

  it('refuses an accept over the control API that names no reviewed version, or one too short to', async () => {
    ctx = desktopEngine();
    list(v0);
    list(v1);
    await expect(post({ tool: 'list_tickets' })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/"digest" must name the held version you reviewed/) });
    await expect(post({ tool: 'list_tickets', digest: toolDigest(v1).slice(0, 15) })).rejects.toMatchObject({ status: 400 });
    expect(ctx.engine.pins.pending('tickets')).toHaveLength(1);
    await expect(post({ tool: 'list_tickets', digest: toolDigest(v1).slice(0, 16) })).resolves.toEqual({ server: 'tickets', accepted: ['list_tickets'] });
  });
});
