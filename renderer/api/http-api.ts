import { ALL_CHANGE_TOPICS, changedTopics } from '../../preload/changes.js';
import type { ApiMethod, ApiResult, ChangeTopic, FirewallApi, Overview } from '../../preload/contract.js';

const POLL_MS = 1_000;

export class ApiError extends Error {}

const SESSION_ENDED = "This browser's dashboard session has ended (logged out, 12 hours old, or the engine restarted): open a new one with `mcp-firewall dashboard`";

const READS = new Set<ApiMethod>(['overview', 'activity', 'approvals', 'approvalArguments', 'servers', 'registry', 'policy', 'checkPolicy', 'auditQuery', 'manifests', 'manifestDiff', 'quarantine', 'quarantinePreview', 'gates', 'autoProtect', 'oauthLogins']);

/**
 * The preload contract over the control API, for the dashboard in a browser. The session
 * cookie authenticates; the custom header is the CSRF guard the engine requires with it.
 */
export function createHttpApi(base = ''): FirewallApi {
  async function call<M extends ApiMethod>(method: M, arg?: unknown): Promise<ApiResult<M>> {
    const response = await fetch(`${base}/api/dashboard/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-mcp-firewall-dashboard': '1' },
      body: JSON.stringify(arg ?? {}),
    });
    // The engine's 401 speaks of bearer tokens; to a browser it means its session ended.
    if (response.status === 401) throw new ApiError(SESSION_ENDED);
    const payload = (await response.json()) as { error?: string };
    if (!response.ok) throw new ApiError(payload.error ?? `HTTP ${response.status}`);
    // A change made here shows everywhere on the page at once, not at the next poll.
    if (!READS.has(method)) kick();
    return payload as ApiResult<M>;
  }
  const kick = () => {
    if (listeners.size === 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(poll, 0);
  };
  const listeners = new Set<(topic: ChangeTopic) => void>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: Overview | null = null;
  const poll = async () => {
    try {
      const next = await call('overview');
      // The first overview is no baseline for what the page already loaded: an approval parked
      // between the page's fetch of the list and this poll is in this overview, so comparing
      // later ones with it would never show it (the card stayed away until something else
      // changed). Everything reloads once against it instead.
      const topics = last === null ? ALL_CHANGE_TOPICS : changedTopics(last, next);
      for (const topic of topics) listeners.forEach((listener) => listener(topic));
      last = next;
    } catch {
      // The engine may be restarting; the next poll tries again.
    }
    if (listeners.size > 0) timer = setTimeout(poll, POLL_MS);
    else timer = null;
  };
  return {
    overview: () => call('overview'),
    activity: (query) => call('activity', query),
    approvals: () => call('approvals'),
    answerApproval: async (answer) => void (await call('answerApproval', answer)),
    approvalArguments: (args) => call('approvalArguments', args),
    servers: () => call('servers'),
    protect: (selector) => call('protect', selector),
    unprotect: (selector) => call('unprotect', selector),
    registry: () => call('registry'),
    approveServer: async (args) => void (await call('approveServer', args)),
    setServerEnabled: async (args) => void (await call('setServerEnabled', args)),
    policy: () => call('policy'),
    checkPolicy: (args) => call('checkPolicy', args),
    savePolicy: (args) => call('savePolicy', args),
    setEmergency: async (args) => void (await call('setEmergency', args)),
    auditQuery: (args) => call('auditQuery', args),
    manifests: () => call('manifests'),
    manifestDiff: (args) => call('manifestDiff', args),
    acceptPins: (args) => call('acceptPins', args),
    keepBlocked: async (args) => void (await call('keepBlocked', args)),
    setDeployWindow: (args) => call('setDeployWindow', args),
    quarantine: () => call('quarantine'),
    quarantinePreview: (args) => call('quarantinePreview', args),
    releaseQuarantined: async (args) => void (await call('releaseQuarantined', args)),
    dropQuarantined: async (args) => void (await call('dropQuarantined', args)),
    gates: () => call('gates'),
    setPause: (args) => call('setPause', args),
    autoProtect: () => call('autoProtect'),
    setAutoProtect: (args) => call('setAutoProtect', args),
    oauthLogins: () => call('oauthLogins'),
    startOAuthLogin: (args) => call('startOAuthLogin', args),
    oauthLogout: (args) => call('oauthLogout', args),
    onChange(listener) {
      listeners.add(listener);
      if (!timer) timer = setTimeout(poll, 0);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
