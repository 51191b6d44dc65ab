import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBareInterposer, type BareInterposer } from '../../helpers/bare-interposer.js';
import { waitFor } from '../../helpers/engine-harness.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'churn', version: '1' } } });

describe('sessions ended by their client but still winding down', () => {
  let bare: BareInterposer;
  let endpoint: string;
  // The server ends a session only when the test says so (not after a set time, which a slow
  // machine's loop below could outlast): each of ours winds down meanwhile.
  const deletes = new Set<ServerResponse>();
  let mostAtOnce = 0;
  const endSessions = () => {
    deletes.forEach((res) => res.writeHead(200).end());
    deletes.clear();
  };

  beforeAll(async () => {
    const onDelete = (res: ServerResponse) => {
      deletes.add(res);
      mostAtOnce = Math.max(mostAtOnce, deletes.size);
    };
    bare = await startBareInterposer('mcpfw-churn-', () => {}, { onDelete, interposer: { sessionCap: { max: 2, evictAfterIdleMs: 60_000 } } });
    endpoint = bare.endpoint;
  });
  afterAll(() => {
    endSessions();
    return bare.close();
  });

  it('keep their place until they are gone: starting and ending sessions in a loop cannot outgrow the bound', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const init = await fetch(endpoint, { method: 'POST', headers: HEADERS, body: initialize });
      statuses.push(init.status);
      await init.text();
      const id = init.headers.get('mcp-session-id');
      if (id) await (await fetch(endpoint, { method: 'DELETE', headers: { 'mcp-session-id': id } })).text();
    }
    // Before: every session was let in, and all ten wound down at once.
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 503)).toHaveLength(8);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mostAtOnce).toBeLessThanOrEqual(2);
    // Once they are gone, their places are free.
    endSessions();
    const again = await waitFor(async () => {
      const init = await fetch(endpoint, { method: 'POST', headers: HEADERS, body: initialize });
      await init.text();
      return init.status === 200 && init;
    }, 'a place freed by the sessions that are gone');
    await fetch(endpoint, { method: 'DELETE', headers: { 'mcp-session-id': again.headers.get('mcp-session-id') ?? '' } });
  });
});
