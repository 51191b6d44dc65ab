import type { DeployWindowView, FirewallApi, QuarantinePreview } from '../../../preload/contract.js';
import type { Engine } from '../engine.js';
import type { DeployWindow } from '../pins/manifest-gate.js';
import { heldToolReview, visibleBounded } from './manifest-view.js';
import { keepHeldBlocked } from '../pins/keep-blocked.js';
import { maskedPayload } from './quarantine-routes.js';

type ReviewMethods = Pick<FirewallApi,
  'manifests' | 'manifestDiff' | 'acceptPins' | 'keepBlocked' | 'setDeployWindow' | 'quarantine' | 'quarantinePreview' | 'releaseQuarantined' | 'dropQuarantined'>;

// A held result can be megabytes; the reviewer needs the shape and the masked spots, not all of it.
const PREVIEW_CHARS = 20_000;
// The pinned table shows one line of each description. A server's first tools/list is pinned
// as it comes (trust on first use), so a 5 MB description went whole into every refresh of the
// page and into a tooltip; and an accepted one with a bidi override read backwards there.
const PIN_DESCRIPTION_CHARS = 300;

const windowView = (window: DeployWindow | null, now: number): DeployWindowView | null =>
  window && window.ticket ? { ticket: window.ticket, until: window.until, open: new Date(window.until).getTime() > now } : null;

/** Text content as the model would read it; anything else as JSON. */
function previewText(masked: unknown): string {
  const content = (masked as { content?: unknown } | null)?.content;
  if (Array.isArray(content) && content.every((c) => (c as { type?: unknown }).type === 'text')) {
    return content.map((c) => String((c as { text?: unknown }).text ?? '')).join('\n\n');
  }
  return JSON.stringify(masked, null, 2) ?? '';
}

/**
 * The Manifests and Quarantine pages' methods. `error` builds the error a wrong argument
 * throws (the service's input error), so the HTTP and IPC callers answer 400, not 500.
 */
export function createReviewMethods(engine: Engine, actor: string, error: (message: string) => Error): ReviewMethods {
  const keptBlocked = engine.db.prepare(
    "SELECT MAX(event_time) AS at FROM mcp_audit WHERE event = 'manifest' AND decision = 'KEPT_BLOCKED' AND server_name = ? AND tool_name = ?",
  );
  const servers = () => [...new Set([...engine.pins.pins(), ...engine.pins.pending()].map((p) => p.server))].sort();

  return {
    async manifests() {
      const now = Date.now();
      return {
        deployWindow: windowView(engine.deployWindow(), now),
        servers: servers().map((server) => ({
          server,
          pinned: engine.pins.pins(server).map((p) => ({
            tool: p.tool, digest: p.digest, pinnedAt: p.pinnedAt,
            description: visibleBounded(String((p.definition as { description?: unknown } | null)?.description ?? ''), PIN_DESCRIPTION_CHARS),
          })),
          held: engine.pins.pending(server).map((p) => {
            const at = (keptBlocked.get(server, p.tool) as { at: string | null }).at;
            // A newer version arriving after "keep blocked" needs a fresh look.
            return { tool: p.tool, digest: p.digest, kind: p.kind, reason: p.reason, firstSeen: p.firstSeen, keptBlockedAt: at && at >= p.firstSeen ? at : null };
          }),
        })),
      };
    },
    async manifestDiff({ server, tool }) {
      const pinned = new Map(engine.pins.pins(server).map((p) => [p.tool, p.definition]));
      const pending = engine.pins.pending(server);
      const siblings = [...new Set([...pinned.keys(), ...pending.map((p) => p.tool)])];
      return pending.filter((p) => tool === undefined || p.tool === tool).map((p) => heldToolReview(p, pinned.get(p.tool), siblings));
    },
    async acceptPins({ server, tool, digest }) {
      // A version changed since the diff was read throws StaleReviewError: 409 (httpStatusOf).
      const accepted = engine.acceptPins(server, { tool, digest }, actor);
      if (accepted.length === 0) throw error(`nothing held for '${server}'${tool ? ` tool '${tool}'` : ''} (already accepted?)`);
      return { accepted };
    },
    async keepBlocked({ server, tool, digest }) {
      // A version changed since it was reviewed throws StaleReviewError: 409 (httpStatusOf).
      if (!keepHeldBlocked(engine, server, tool, digest, actor)) throw error(`'${server}' tool '${tool}' is not held`);
    },
    async setDeployWindow(change) {
      if (!change.open) {
        engine.setDeployWindow(null, actor);
        return { deployWindow: null };
      }
      const window = { ticket: change.ticket, until: new Date(Date.now() + change.minutes * 60_000).toISOString() };
      engine.setDeployWindow(window, actor);
      return { deployWindow: windowView(window, Date.now()) };
    },
    async quarantine() {
      return engine.quarantine.list().map(({ id, heldAt, client, server, tool, status, findings }) => ({ id, heldAt, client, server, tool, status, findings }));
    },
    async quarantinePreview({ id }): Promise<QuarantinePreview> {
      const shown = await engine.quarantine.show(id);
      if (!shown) throw error(`no quarantined result '${id}'`);
      if (shown.payload === null) return { id, masked: '(the payload was deleted when the result was dropped)', truncated: false };
      const text = previewText(maskedPayload(shown.payload));
      return { id, masked: text.slice(0, PREVIEW_CHARS), truncated: text.length > PREVIEW_CHARS };
    },
    async releaseQuarantined({ id }) {
      if (!(await engine.quarantine.release(id, actor))) throw error(`no held result '${id}' to release`);
    },
    async dropQuarantined({ id }) {
      if (!engine.quarantine.drop(id, actor)) throw error(`no held result '${id}' to drop`);
    },
  };
}
