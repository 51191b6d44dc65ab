import { changedTopics } from '../../preload/changes.js';
import type { ActivityRow, Approval, ChangeTopic, Overview } from '../../preload/contract.js';
import type { DashboardService } from '../firewall/api/dashboard-service.js';

export interface FeedState {
  /** The last ~10 tool calls, newest first. */
  recentCalls: ActivityRow[];
  pending: Approval[];
  emergency: boolean;
  /** ISO time protection resumes, or null. */
  pausedUntil: string | null;
  /** The detection gates paging now. */
  paging: PagingGate[];
}

export interface PagingGate {
  id: string;
  name: string;
  owner: string;
}

/** engine.gates(), or anything shaped like it. */
export type GateSource = () => Array<PagingGate & { paging: boolean }>;

export interface ActivityFeed {
  /** New audit rows since the last tick (oldest first), the state, and what changed. */
  onUpdate(listener: (update: { rows: ActivityRow[]; state: FeedState; topics: ChangeTopic[] }) => void): () => void;
  tick(): Promise<void>;
  stop(): void;
}

const RECENT = 10;

/**
 * One poller for everything the shell shows (tray, notifications, pushes to the window).
 * Audit rows are written by shims through the engine from other processes' sockets, so
 * polling the store is the one signal that sees them all.
 */
export function createActivityFeed(service: DashboardService, intervalMs = 1_000, gates?: GateSource): ActivityFeed {
  const listeners = new Set<Parameters<ActivityFeed['onUpdate']>[0]>();
  let last: Overview | null = null;
  let lastId = -1;
  let recentCalls: ActivityRow[] = [];
  let running: Promise<void> | null = null;

  const tick = async () => {
    const overview = await service.overview();
    const topics = changedTopics(last, overview);
    last = overview;
    let rows: ActivityRow[] = [];
    if (lastId < 0) {
      recentCalls = (await service.activity({ limit: 100 })).filter((r) => r.event === 'call').slice(0, RECENT);
    } else if (overview.lastActivityId > lastId) {
      rows = (await service.activity({ afterId: lastId, limit: 500 })).reverse();
      recentCalls = [...rows.filter((r) => r.event === 'call').reverse(), ...recentCalls].slice(0, RECENT);
    }
    lastId = overview.lastActivityId;
    const paging = gates
      ? gates().filter((g) => g.paging).map(({ id, name, owner }) => ({ id, name, owner }))
      : overview.pagingGates.map((id) => ({ id, name: id, owner: '' }));
    const state: FeedState = { recentCalls, pending: await service.approvals(), emergency: overview.emergencyWriteApproval, pausedUntil: overview.pausedUntil, paging };
    listeners.forEach((listener) => listener({ rows, state, topics }));
  };
  const timer = setInterval(() => {
    running ??= tick().catch(() => undefined).finally(() => (running = null));
  }, intervalMs);
  timer.unref?.();
  return {
    onUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    tick: () => (running ??= tick().finally(() => (running = null))),
    stop: () => clearInterval(timer),
  };
}
