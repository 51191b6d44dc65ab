import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { makeHome, removeHome, settled, startEngine, useEngine, waitFor } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { connectThroughShim } from '../helpers/shim-client.js';
import { EVERYTHING_SERVER } from '../helpers/paths.js';

const FAULTY = join(FIXTURES, 'servers', 'faulty-server.mjs');
const POLICY = `version: v1
defaults:
  max_runtime_sec: 1
rules: []
`;

describe('failures end in a clear error and an audit row, never a hang', () => {
  const engine = useEngine({ policy: POLICY, approve: ['faulty'] });
  const auditRows = (where: string) =>
    JSON.parse(engine().cli(['audit', 'query', `SELECT event, decision, tool_name, server_name, reason FROM mcp_audit WHERE ${where} ORDER BY id`, '--json']).stdout) as Array<Record<string, string>>;

  it('cancels a call that outlives max_runtime_sec and keeps the session usable', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      await expect(conn.client.callTool({ name: 'read_forever', arguments: {} })).rejects.toThrow(/max_runtime_sec \(1s\)/);
      const after = await conn.client.callTool({ name: 'read_text', arguments: { text: 'alive' } });
      expect(JSON.stringify(after.content)).toContain('alive');
    } finally {
      await conn.close();
    }
    expect(auditRows("tool_name = 'read_forever' AND event = 'result'")).toEqual([
      expect.objectContaining({ decision: 'TIMEOUT' }),
    ]);
  });

  it('drops the answer a server sends after the call was cancelled for running too long', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    const errors: Error[] = [];
    conn.client.onerror = (error) => errors.push(error);
    try {
      // 1.5 s past the limit: a busy box delaying the firewall's timer does not let the answer win.
      await expect(conn.client.callTool({ name: 'read_slow', arguments: { ms: 2_500 } })).rejects.toThrow(/max_runtime_sec \(1s\)/);
      // The server answers at 2.5 s regardless; the client must not see a second answer.
      await new Promise((resolve) => setTimeout(resolve, 1_800));
      const after = await conn.client.callTool({ name: 'read_text', arguments: { text: 'still here' } });
      expect(JSON.stringify(after.content)).toContain('still here');
    } finally {
      await conn.close();
    }
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('a call the client cancels is audited as cancelled, not timed out, and its late answer is dropped', async () => {
    const slowRows = () => auditRows("tool_name = 'read_slow' AND event = 'result'");
    const before = slowRows().length; // an earlier test's read_slow timed out
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    const errors: Error[] = [];
    conn.client.onerror = (error) => errors.push(error);
    try {
      const stop = new AbortController();
      const call = conn.client.callTool({ name: 'read_slow', arguments: { ms: 600 } }, undefined, { signal: stop.signal });
      setTimeout(() => stop.abort('user pressed stop'), 150);
      await expect(call).rejects.toThrow();
      // Past the server's late answer (0.6 s) and past max_runtime_sec (1 s): the client hears neither.
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      const after = await conn.client.callTool({ name: 'read_text', arguments: { text: 'still here' } });
      expect(JSON.stringify(after.content)).toContain('still here');
    } finally {
      await conn.close();
    }
    expect(errors.map((e) => e.message)).toEqual([]);
    await waitFor(() => slowRows().length > before, 'the result row');
    expect(slowRows().slice(before)).toEqual([
      expect.objectContaining({ decision: 'CANCELLED', reason: 'cancelled by the client: user pressed stop' }),
    ]);
  });

  it('drops the late answer to a cancelled request the firewall does not police', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    const errors: Error[] = [];
    conn.client.onerror = (error) => errors.push(error);
    try {
      const stop = new AbortController();
      // Answered at 1 s, well after the cancel at 0.1 s however busy the box.
      const read = conn.client.readResource({ uri: 'slow://1000' }, { signal: stop.signal });
      setTimeout(() => stop.abort('not needed'), 100);
      await expect(read).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const after = await conn.client.callTool({ name: 'read_text', arguments: { text: 'next' } });
      expect(JSON.stringify(after.content)).toContain('next');
    } finally {
      await conn.close();
    }
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('answers a call in flight when the server crashes', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    await expect(conn.client.callTool({ name: 'read_crash', arguments: {} })).rejects.toThrow(/exited \(code 3\)/);
    await conn.close().catch(() => {});
    await waitFor(() => auditRows("tool_name = 'read_crash' AND event = 'result'").length === 1, 'crash audit row');
    expect(auditRows("tool_name = 'read_crash' AND event = 'result'")[0]).toMatchObject({ decision: 'ERROR' });
  });

  it('drops a non-JSON line from the server with a log message and an audit row', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      const result = await conn.client.callTool({ name: 'read_garbage', arguments: {} });
      expect(JSON.stringify(result.content)).toContain('after garbage');
    } finally {
      await conn.close();
    }
    await waitFor(() => auditRows("event = 'protocol'").length > 0, 'protocol audit row');
    expect(auditRows("event = 'protocol'")[0]!.reason).toContain('server sent invalid JSON');
  });

  it('records a flood of junk lines as 30 rows a minute and one that counts the rest, not a row each', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    const before = auditRows("event = 'protocol'").length;
    try {
      const result = await conn.client.callTool({ name: 'read_garbage', arguments: { ms: 500 } });
      expect(JSON.stringify(result.content)).toContain('after garbage');
      // A refusal after the flood is no junk line: it gets its own row, not a place in the count.
      (conn.transport as unknown as { _process: { stdin: NodeJS.WritableStream } })._process.stdin.write('{"jsonrpc":"2.0","id":"near","method":"Tools/Call","params":{}}\n');
      await conn.client.callTool({ name: 'read_text', arguments: { text: 'after' } });
    } finally {
      await conn.close();
    }
    // The count is written when the session ends, not a minute later.
    const rows = await waitFor(() => {
      const found = auditRows("event = 'protocol'").slice(before);
      return found.some((r) => String(r.reason).includes('more lines that were no message')) ? found : null;
    }, 'the summary row');
    expect(rows).toHaveLength(32);
    expect(rows[30]!.reason).toMatch(/client sent the method "Tools\/Call", near tools\/call; refused/);
    expect(rows.at(-1)!.reason).toMatch(/^470 more lines that were no message in this session in the last minute \(not recorded one by one; the first: server sent invalid JSON/);
    expect(rows.at(-1)!.server_name).toBe('faulty');
  });

  it('answers malformed JSON from the client with a parse error and keeps relaying', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      const errors: unknown[] = [];
      conn.client.onerror = (e) => void errors.push(e);
      // Straight onto the shim's stdin, under the SDK's feet.
      (conn.transport as unknown as { _process: { stdin: NodeJS.WritableStream } })._process.stdin.write('{"jsonrpc":"2.0", nope\n');
      const result = await conn.client.callTool({ name: 'read_text', arguments: { text: 'next' } });
      expect(JSON.stringify(result.content)).toContain('next');
    } finally {
      await conn.close();
    }
    await waitFor(() => auditRows("event = 'protocol' AND reason = 'client sent invalid JSON'").length > 0, 'client protocol row');
  });

  it('relays a multi-megabyte result intact', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      const result = await conn.client.callTool({ name: 'read_huge', arguments: { mb: 8 } });
      expect((result.content as Array<{ text: string }>)[0]!.text.length).toBe(8 * 1024 * 1024);
    } finally {
      await conn.close();
    }
  });
});

describe('a message over the 64 MiB the shim checks is dropped, never buffered without bound', () => {
  // No max_runtime here: 65 MB take a moment to write, and the size, not the clock, must end the call.
  const engine = useEngine({ policy: 'version: v1\nrules: []\n', approve: ['faulty'] });
  const auditRows = (where: string) =>
    JSON.parse(engine().cli(['audit', 'query', `SELECT event, decision, tool_name, reason FROM mcp_audit WHERE ${where} ORDER BY id`, '--json']).stdout) as Array<Record<string, string>>;

  it('fails the call whose answer is too large, says why, audits it, and the session goes on', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      await expect(conn.client.callTool({ name: 'read_huge', arguments: { mb: 65 } })).rejects.toThrow(/dropped a message of 65\.0 MiB from 'faulty': larger than the 64\.0 MiB it checks/);
      const after = await conn.client.callTool({ name: 'read_text', arguments: { text: 'still here' } });
      expect(JSON.stringify(after.content)).toContain('still here');
    } finally {
      await conn.close();
    }
    await waitFor(() => auditRows("event = 'result' AND tool_name = 'read_huge' AND decision = 'ERROR'").length > 0, 'the result row');
    expect(auditRows("event = 'protocol' AND reason LIKE '%larger than the 64.0 MiB%'")).toHaveLength(1);
  });

  it('answers a server request too large to check with an error to the server, so its tool call ends', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      const result = await conn.client.callTool({ name: 'read_sample_huge', arguments: { mb: 65 } });
      expect(JSON.stringify(result.content)).toMatch(/sampling answered: error MCP Firewall dropped a message of 65\.0 MiB from 'faulty'/);
    } finally {
      await conn.close();
    }
  });

  it('refuses a request too large to check without sending it to the server', async () => {
    const conn = await connectThroughShim(engine(), 'faulty', [process.execPath, FAULTY]);
    try {
      // The SDK writes the id last: the error still finds its request.
      await expect(conn.client.callTool({ name: 'read_text', arguments: { text: 'q'.repeat(65 * 1024 * 1024) } })).rejects.toThrow(/refused a message of 65\.0 MiB: larger than the 64\.0 MiB it checks; it was not sent to 'faulty'/);
      const after = await conn.client.callTool({ name: 'read_text', arguments: { text: 'next' } });
      expect(JSON.stringify(after.content)).toContain('next');
    } finally {
      await conn.close();
    }
    expect(auditRows("event = 'protocol' AND reason LIKE '%refused a message of 65.0 MiB%'")).toHaveLength(1);
  });
});

describe('fail closed when the engine is not running', () => {
  it('does not start the server and tells the client how to start the firewall', async () => {
    const home = makeHome();
    try {
      const env = { ...process.env, MCP_FIREWALL_HOME: home };
      const attempt = connectThroughShim({ env }, 'everything', [EVERYTHING_SERVER]);
      await expect(attempt).rejects.toThrow(/MCP Firewall is not running.*mcp-firewall serve/s);
    } finally {
      removeHome(home);
    }
  });

  it('picks the session up again once the engine is back, without the client restarting its server', async () => {
    const engine = await startEngine({ policy: POLICY });
    engine.cli(['registry', 'approve', 'faulty']);
    const conn = await connectThroughShim(engine, 'faulty', [process.execPath, FAULTY]);
    const echo = (text: string) => conn.client.callTool({ name: 'read_text', arguments: { text } });
    let again: Awaited<ReturnType<typeof startEngine>> | undefined;
    try {
      expect(JSON.stringify((await echo('before')).content)).toContain('before');
      await engine.stop();
      await expect(echo('while down')).rejects.toThrow(/not running/);
      again = await startEngine({ home: engine.home });
      const after = await waitFor(async () => {
        const answer = await settled(echo('after'));
        return answer instanceof Error ? null : answer;
      }, 'a call through the restarted engine');
      expect(JSON.stringify(after.content)).toContain('after');
      const rows = () => JSON.parse(again!.cli(['audit', 'query', "SELECT reason FROM mcp_audit WHERE event = 'registry' AND server_name = 'faulty' AND decision = 'ALLOW' ORDER BY id", '--json']).stdout) as Array<{ reason: string }>;
      expect(rows().at(-1)!.reason).toBe('session resumed after an engine restart (the server kept running)');
    } finally {
      await conn.close();
      await again?.stop();
      removeHome(engine.home);
    }
  });

  it('refuses calls once the engine dies mid-session', async () => {
    const engine = await startEngine({ policy: POLICY });
    engine.cli(['registry', 'approve', 'faulty']);
    const conn = await connectThroughShim(engine, 'faulty', [process.execPath, FAULTY]);
    try {
      await engine.stop();
      await expect(conn.client.callTool({ name: 'read_text', arguments: { text: 'x' } })).rejects.toThrow(/not running/);
    } finally {
      await conn.close();
      removeHome(engine.home);
    }
  });
});
