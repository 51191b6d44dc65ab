import type { Engine } from '../engine.js';
import { describeToolDiff } from '../manifest/index.js';
import { keepHeldBlocked } from '../pins/keep-blocked.js';
import { kindOfKey } from '../pins/manifest-keys.js';
import { HttpError } from './http-util.js';
import { argWord } from '../shell-word.js';

type Body = () => Promise<Record<string, unknown>>;

export interface PinDiff {
  server: string;
  tool: string;
  /** The held version this diff shows: what `pins accept` must name. */
  digest: string;
  kind: string;
  reason: string;
  diff: string;
}

const isReviewedDigest = (digest: unknown): digest is string => typeof digest === 'string' && /^(?:sha256:)?[0-9a-fA-F]{16,64}$/.test(digest);
const digestNeeded = (server: string, done: string) =>
  `"digest" must name the held version you reviewed (as \`mcp-firewall pins diff ${argWord(server)}\` prints it, at least 16 hex characters): only that version is ${done}`;

/** The readable diff of every held tool of a server (or of one tool). */
export function pendingDiffs(engine: Pick<Engine, 'pins'>, server: string, tool?: string): PinDiff[] {
  const pinned = new Map(engine.pins.pins(server).map((p) => [p.tool, p.definition]));
  return engine.pins
    .pending(server)
    .filter((p) => tool === undefined || p.tool === tool)
    .map((p) => ({
      server, tool: p.tool, digest: p.digest, kind: p.kind, reason: p.reason,
      diff: describeToolDiff(pinned.get(p.tool) ?? {}, p.definition, kindOfKey(p.tool) !== 'tools'),
    }));
}

export const PIN_ROUTES: Array<[method: string, pattern: RegExp, handler: (ctx: { engine: Engine; params: string[]; body: Body; url: URL }) => unknown]> = [
  ['GET', /^\/api\/pins$/, ({ engine, url }) => ({
    pins: engine.pins.pins(url.searchParams.get('server') ?? undefined).map(({ definition: _d, ...rest }) => rest),
    pending: engine.pins.pending(url.searchParams.get('server') ?? undefined).map(({ definition: _d, ...rest }) => rest),
    deployWindow: engine.deployWindow(),
  })],
  ['GET', /^\/api\/pins\/([^/]+)\/diff$/, ({ engine, params, url }) => pendingDiffs(engine, params[0]!, url.searchParams.get('tool') ?? undefined)],
  ['POST', /^\/api\/pins\/([^/]+)\/accept$/, async ({ engine, params, body }) => {
    const { tool, digest } = await body();
    if (tool !== undefined && typeof tool !== 'string') throw new HttpError(400, '"tool" must be a string');
    if (!isReviewedDigest(digest)) throw new HttpError(400, digestNeeded(params[0]!, 'accepted'));
    // A version changed since it was reviewed throws StaleReviewError: 409 (httpStatusOf).
    const accepted = engine.acceptPins(params[0]!, { tool, digest }, 'control-api');
    if (accepted.length === 0) throw new HttpError(404, `nothing pending for '${params[0]}'${tool ? ` tool '${tool}'` : ''}`);
    return { server: params[0], accepted };
  }],
  ['POST', /^\/api\/pins\/([^/]+)\/keep-blocked$/, async ({ engine, params, body }) => {
    const { tool, digest } = await body();
    // Per tool, as the dashboard's card: the row it writes is about one version.
    if (typeof tool !== 'string' || tool === '') throw new HttpError(400, '"tool" must name the held tool to keep blocked');
    if (!isReviewedDigest(digest)) throw new HttpError(400, digestNeeded(params[0]!, 'kept blocked'));
    if (!keepHeldBlocked(engine, params[0]!, tool, digest, 'control-api')) throw new HttpError(404, `nothing held for '${params[0]}' tool '${tool}'`);
    return { server: params[0], keptBlocked: tool };
  }],
  ['POST', /^\/api\/pins\/window$/, async ({ engine, body }) => {
    const { ticket, minutes, close } = await body();
    if (close === true) {
      engine.setDeployWindow(null, 'control-api');
      return { deployWindow: null };
    }
    if (typeof ticket !== 'string' || !ticket.trim()) throw new HttpError(400, 'a deploy window needs a change "ticket"');
    // A window lets drift through: a bad span is refused, never widened to the default hour.
    if (minutes !== undefined && (typeof minutes !== 'number' || !(minutes > 0) || minutes > 24 * 60)) {
      throw new HttpError(400, '"minutes" must be a number from 1 to 1440');
    }
    const span = typeof minutes === 'number' ? minutes : 60;
    const window = { ticket, until: new Date(Date.now() + span * 60_000).toISOString() };
    engine.setDeployWindow(window, 'control-api');
    return { deployWindow: window };
  }],
];
