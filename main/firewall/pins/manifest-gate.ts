import type { AuditLog } from '../audit/audit-log.js';
import { findPoisoningCues, toolDigest, toolVerdict, type Cue } from '../manifest/index.js';
import type { PinStore } from './pin-store.js';

/** A declared change window: drift inside it is recorded, not blocked (the seed's gate reads the rest). */
export interface DeployWindow {
  ticket: string;
  until: string;
}

export interface ManifestContext {
  server: string;
  client: string;
  sessionId: string;
}

/** Tool name → why it is hidden from the client and its calls denied. */
export type BlockedTools = Record<string, string>;

export interface ManifestGateDeps {
  pins: PinStore;
  audit: AuditLog;
  deployWindow: () => DeployWindow | null;
}

function cueSummary(cues: Cue[]): string {
  const high = cues.filter((c) => c.severity === 'high');
  return high.map((c) => `${c.kind} in ${c.path}: "${c.excerpt}"`).slice(0, 3).join('; ');
}

/**
 * Decides, for one tools/list, which tools the client may see. First sight of a server
 * pins everything that carries no high-severity poisoning cue (trust on first use);
 * after that a changed or new tool is held until someone accepts it, unless a deploy
 * window with a change ticket is open. Only tools that differ from their pin are
 * scanned for cues, so a stable server costs one hash per tool.
 */
export function reviewManifest(deps: ManifestGateDeps, ctx: ManifestContext, tools: unknown[]): BlockedTools {
  const pinned = new Map(deps.pins.pins(ctx.server).map((p) => [p.tool, p]));
  const firstSight = pinned.size === 0 && deps.pins.pending(ctx.server).length === 0;
  const window = deps.deployWindow();
  const siblingToolNames = tools.map((t) => String((t as { name?: unknown }).name ?? ''));
  const blocked: BlockedTools = {};
  let pinnedNow = 0;
  const audit = (decision: string, tool: string | null, reason: string) =>
    deps.audit.append({ event: 'manifest', decision, serverName: ctx.server, toolName: tool, client: ctx.client, sessionId: ctx.sessionId, ruleId: 'manifest-pin', reason });

  for (const tool of tools) {
    const name = String((tool as { name?: unknown }).name ?? '');
    if (!name) continue;
    const digest = toolDigest(tool);
    const pin = pinned.get(name);
    if (pin?.digest === digest) continue;
    const cues = findPoisoningCues(tool, { siblingToolNames });
    if (toolVerdict(cues) === 'block') {
      const reason = `poisoning cues in its definition: ${cueSummary(cues)}`;
      if (deps.pins.setPending({ server: ctx.server, tool: name, digest, definition: tool, kind: 'poisoned', reason })) audit('POISONED', name, reason);
      blocked[name] = reason;
      continue;
    }
    if (firstSight) {
      deps.pins.pin(ctx.server, name, digest, tool);
      pinnedNow++;
      continue;
    }
    const kind = pin ? 'drifted' : 'new';
    if (window && Date.parse(window.until) > Date.now()) {
      deps.pins.pin(ctx.server, name, digest, tool);
      deps.pins.clearPending(ctx.server, name);
      audit('DRIFT_IN_WINDOW', name, `${kind} tool accepted inside the deploy window of change ${window.ticket}`);
      continue;
    }
    const reason = pin
      ? `its definition changed since it was approved (manifest drift); review with: mcp-firewall pins diff ${ctx.server}`
      : `it is new since the server was approved; review with: mcp-firewall pins diff ${ctx.server}`;
    if (deps.pins.setPending({ server: ctx.server, tool: name, digest, definition: tool, kind, reason })) audit(pin ? 'DRIFT' : 'NEW_TOOL', name, reason);
    blocked[name] = reason;
  }
  if (pinnedNow > 0) audit('PINNED', null, `first sight: pinned ${pinnedNow} tool(s)`);
  return blocked;
}
