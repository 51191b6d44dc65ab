import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBareInterposer, type BareInterposer } from '../../helpers/bare-interposer.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const DEPTH = 500_000; // a megabyte of brackets: JSON.parse reads it, JSON.stringify overflows
const deep = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const initialize = (extra = '') => `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"deep","version":"1"}${extra}}}`;

/** A POST's status and body, or 'no answer' when none came in time (it hung). */
async function postWithin(url: string, headers: Record<string, string>, body: string, ms = 2_000): Promise<{ status: number; text: string } | 'no answer'> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: abort.signal });
    return { status: response.status, text: await response.text() };
  } catch {
    return 'no answer';
  } finally {
    clearTimeout(timer);
  }
}

describe('a client message nested too deeply to be written again', () => {
  let bare: BareInterposer;
  let endpoint: string;

  beforeAll(async () => {
    bare = await startBareInterposer('mcpfw-deep-', ({ res, message }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {} }));
      // One session per server: a session left behind would take the only place.
    }, { interposer: { sessionCap: { max: 1, evictAfterIdleMs: 60_000 } } });
    endpoint = bare.endpoint;
  });
  afterAll(() => bare.close());

  it('is refused with 400 before it starts a session, and leaves no session behind', async () => {
    const refused = await postWithin(endpoint, HEADERS, initialize(`,"x":${deep}`));
    expect(refused).toMatchObject({ status: 400, text: expect.stringContaining('nested too deeply') });
    // The one place is free: a plain initialize starts the session.
    const init = await fetch(endpoint, { method: 'POST', headers: HEADERS, body: initialize() });
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('"serverInfo"');
    await fetch(endpoint, { method: 'DELETE', headers: { 'mcp-session-id': init.headers.get('mcp-session-id') ?? '' } });
  });

  it('is refused with 400 in a live session, which goes on', async () => {
    // The last test's session keeps its place until it has wound down.
    let init = await fetch(endpoint, { method: 'POST', headers: { ...HEADERS, accept: 'application/json' }, body: initialize() });
    for (let i = 0; i < 100 && init.status === 503; i++) {
      await init.text();
      await new Promise((resolve) => setTimeout(resolve, 20));
      init = await fetch(endpoint, { method: 'POST', headers: { ...HEADERS, accept: 'application/json' }, body: initialize() });
    }
    await init.text();
    const session = { ...HEADERS, 'mcp-session-id': init.headers.get('mcp-session-id') ?? '' };
    expect(init.status).toBe(200);
    await postWithin(endpoint, session, '{"jsonrpc":"2.0","method":"notifications/initialized"}');
    const refused = await postWithin(endpoint, session, `{"jsonrpc":"2.0","id":2,"method":"ping","params":{"x":${deep}}}`);
    expect(refused).toMatchObject({ status: 400, text: expect.stringContaining('nested too deeply') });
    // Its id was never taken: used again, it is answered.
    const ping = await postWithin(endpoint, session, '{"jsonrpc":"2.0","id":2,"method":"ping"}');
    expect(ping).toMatchObject({ status: 200, text: expect.stringContaining('"id":2') });
  });
});
