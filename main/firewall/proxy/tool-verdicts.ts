import { classifyAction, type ToolDescription } from '../policy/action-class.js';
import { classVerdict } from '../policy/effective-verdict.js';
import { policySaysUntrusted, type CompiledPolicy } from '../policy/evaluate.js';
import type { ActionClass, PolicyVerdict } from '../policy/types.js';
import { isUntrustedTool } from '../guard/taint.js';

/** What the policy says about a tool, before anything about this particular call is known. */
export interface ToolVerdict {
  actionClass: ActionClass;
  /** When annotations raised the class: the class the name gave it (the gate decides on both). */
  beforeAnnotations?: ActionClass;
  /** A read of outside content (web, issues…): its results are fingerprinted for taint. */
  untrusted: boolean;
  byPolicy: PolicyVerdict;
}

interface Cached extends ToolVerdict {
  policy: CompiledPolicy;
  description: ToolDescription | undefined;
  client: string;
  method: string;
  emergency: boolean;
}

/**
 * Classification, taint trust and the policy verdict depend only on the tool and on the
 * session's state, not on the arguments, so an agent calling the same tool a thousand
 * times pays for them once. An entry is valid while every input is the same object it
 * was computed from: a policy hot-reload, a re-listed tool (new annotations), the client
 * being named, or the emergency switch all make the next call recompute.
 */
export function createToolVerdicts(server: string): (tool: string, description: ToolDescription | undefined, policy: CompiledPolicy, client: string, method: string, emergency: boolean) => ToolVerdict {
  const cache = new Map<string, Cached>();
  return (tool, description, policy, client, method, emergency) => {
    const hit = cache.get(tool);
    if (hit && hit.policy === policy && hit.description === description && hit.client === client && hit.method === method && hit.emergency === emergency) return hit;
    const { actionClass, beforeAnnotations } = classifyAction(policy, server, tool, description);
    const untrusted = actionClass === 'read' && isUntrustedTool(description ?? { name: tool }, policySaysUntrusted(policy, server, tool));
    const labels = { 'mcp.server': server, 'mcp.tool': tool, 'mcp.action': actionClass, 'mcp.client': client, 'mcp.method': method };
    // Annotations may only make a tool more restricted (classVerdict); the gate is told the class before them too.
    const byPolicy = classVerdict(policy, labels, emergency, beforeAnnotations);
    const entry: Cached = { actionClass, ...(beforeAnnotations !== undefined ? { beforeAnnotations } : {}), untrusted, byPolicy, policy, description, client, method, emergency };
    // Tool names come from the client; a session cycling through invented names must not grow this forever.
    if (cache.size >= 1024) cache.clear();
    cache.set(tool, entry);
    return entry;
  };
}
