import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChangeTopic } from '../../../preload/contract.js';
import { createHttpApi } from '../../../renderer/api/http-api.js';

const overview = (approvalsVersion: number) => ({ approvalsVersion, lastActivityId: 7, registryVersion: 1, policyLoadedAt: '2026-11-25T00:00:00.000Z', emergencyWriteApproval: false, pausedUntil: null, pagingGates: [] });

afterEach(() => vi.unstubAllGlobals());

describe('the browser dashboard client polling the engine for changes', () => {
  it('reloads every topic once against its first overview: an approval parked after the page loaded its list, before that poll, shows', async () => {
    // The page's list of approvals was fetched while none was waiting; by the first poll one is.
    vi.stubGlobal('fetch', async (url: string) => {
      if (!url.endsWith('/overview')) throw new Error(`unexpected ${url}`);
      return new Response(JSON.stringify(overview(1)), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const api = createHttpApi('http://127.0.0.1:1');
    const seen: ChangeTopic[] = [];
    const stop = api.onChange((topic) => seen.push(topic));
    try {
      await vi.waitFor(() => expect(seen).toContain('approvals'), { timeout: 10_000 });
    } finally {
      stop();
    }
    expect([...new Set(seen)].sort()).toEqual(['activity', 'approvals', 'gates', 'policy', 'registry']);
  });

  it('after that, reloads only what changed between two overviews', async () => {
    let version = 1;
    let polls = 0;
    vi.stubGlobal('fetch', async () => {
      polls++;
      return new Response(JSON.stringify(overview(version)), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const api = createHttpApi('http://127.0.0.1:1');
    const seen: ChangeTopic[] = [];
    const stop = api.onChange((topic) => seen.push(topic));
    try {
      await vi.waitFor(() => expect(polls).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
      seen.length = 0;
      version = 2;
      await vi.waitFor(() => expect(seen).toEqual(['approvals']), { timeout: 10_000 });
    } finally {
      stop();
    }
  });
});
