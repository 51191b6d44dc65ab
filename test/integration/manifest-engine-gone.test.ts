import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { removeHome, startEngine, waitFor, type RunningEngine } from '../helpers/engine-harness.js';
import { FIXTURES } from '../helpers/paths.js';
import { rawShim } from '../helpers/raw-shim.js';
import { connectThroughShim, type ShimConnection } from '../helpers/shim-client.js';

const SERVER = join(FIXTURES, 'servers', 'manifest-server.mjs');
const POLICY = 'version: v1\naction_classes:\n  - match: { mcp.tool: "*" }\n    class: read\nrules: []\n';
const ENGINE_GONE = /MCP Firewall is holding this (prompt|resource|resource template): the firewall could not check the (prompts|resource templates) of 'quiet': the MCP Firewall engine is not running/;

// The engine decides the pins. A server that declares no prompts (nor resources) in
// `initialize` gets no look at session start: its first get (read, completion) starts one.
// With the engine gone by then no look can go through, and the request must not reach the
// server unchecked: a prompt changed since the client cached it would run unreviewed.
describe('a prompt, read or completion whose look is due while the engine is gone', () => {
  // Prompts and templates the server serves but never declares nor lists.
  const MANIFEST = JSON.stringify({ tools: [], hiddenPrompts: [{ name: 'triage', description: 'Sorts tickets, then mails them out.' }] });
  async function approvedEngine(): Promise<RunningEngine> {
    const engine = await startEngine({ policy: POLICY });
    engine.cli(['registry', 'approve', 'quiet']);
    return engine;
  }
  async function kill(engine: RunningEngine): Promise<void> {
    const exited = new Promise((resolve) => engine.process.once('exit', resolve));
    engine.process.kill('SIGKILL');
    await exited;
  }
  async function sessionWithEngineGone(): Promise<{ conn: ShimConnection; engine: RunningEngine }> {
    const engine = await approvedEngine();
    const conn = await connectThroughShim({ env: { ...engine.env, MANIFEST } }, 'quiet', [process.execPath, SERVER]);
    await kill(engine);
    return { conn, engine };
  }

  it('refuses prompts/get, resources/read and completion/complete with why, rather than send them unchecked', async () => {
    const { conn, engine } = await sessionWithEngineGone();
    try {
      await expect(conn.client.getPrompt({ name: 'triage' })).rejects.toThrow(ENGINE_GONE);
      await expect(conn.client.readResource({ uri: 'notes://7' })).rejects.toThrow(ENGINE_GONE);
      await expect(conn.client.complete({ ref: { type: 'ref/prompt', name: 'triage' }, argument: { name: 'queue', value: 'a' } })).rejects.toThrow(ENGINE_GONE);
      await expect(conn.client.complete({ ref: { type: 'ref/resource', uri: 'notes://{id}' }, argument: { name: 'id', value: '7' } })).rejects.toThrow(ENGINE_GONE);
    } finally {
      await conn.close();
      removeHome(engine.home);
    }
  });

  it('refuses them in a batch too, member by member', async () => {
    const engine = await approvedEngine();
    const shim = rawShim(engine, 'quiet', [process.execPath, SERVER], { MANIFEST });
    const answer = (id: string) => shim.lines.map((l) => JSON.parse(l) as { id?: unknown; error?: { message: string } }).find((m) => m.id === id);
    try {
      shim.send('{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}');
      await waitFor(() => answer('init'), 'the initialize answer');
      shim.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
      await kill(engine);
      shim.send('[{"jsonrpc":"2.0","id":"g","method":"prompts/get","params":{"name":"triage"}},{"jsonrpc":"2.0","id":"r","method":"resources/read","params":{"uri":"notes://7"}}]');
      await waitFor(() => answer('g') && answer('r'), 'both members answered');
      expect(answer('g')!.error?.message).toMatch(ENGINE_GONE);
      expect(answer('r')!.error?.message).toMatch(ENGINE_GONE);
    } finally {
      shim.child.stdin!.end();
      removeHome(engine.home);
    }
  });
});
